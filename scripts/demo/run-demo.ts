import { publishRule } from '../publish-rule';
import { BROKEN_PATHS, SAMPLE_ARTICLES, startSampleSite } from './sample-site';

/**
 * `npm run demo` (with `npm start` running): serves a sample site on loopback, loads a sample
 * offerings catalogue, submits a dozen items (four broken on purpose), shows their progress,
 * then prints a search and one published document.
 */
const ingestion =
  process.env.INGESTION_URL ?? `http://127.0.0.1:${process.env.INGESTION_PORT ?? 3100}`;
const search =
  process.env.SEARCH_URL ?? `http://127.0.0.1:${process.env.SEARCH_INDEXING_PORT ?? 3103}`;
const TIMEOUT_MS = 180000;
/** Ingestion's `/v1/*` needs it when the pipeline was started with one. */
const ingestionToken = process.env.INGESTION_API_TOKEN;

interface ItemStatusView {
  state?: string;
  stage?: string;
  lastError?: { reason: string };
}

const OFFERINGS = [
  [
    90001,
    'Heart Failure Companion',
    ['HIMSS: Digital Health'],
    'Remote monitoring of heart-failure patients at home',
  ],
  [
    90002,
    'Ward Without Walls',
    ['HIMSS: Digital Health'],
    'Virtual ward platform for regional health systems',
  ],
  [
    90003,
    'TriageNow',
    ['HIMSS: Artificial Intelligence'],
    'AI-assisted triage for emergency departments',
  ],
  [90004, 'OpenBridge FHIR Hub', ['HIMSS: Interoperability'], 'FHIR interoperability hub'],
  [
    90005,
    'PortalPlus',
    ['HIMSS: Patient Engagement', 'HIMSS: Digital Health'],
    'Patient portal with simple sign-in',
  ],
  [90006, 'RxReach', ['HIMSS: Digital Health'], 'E-prescribing for rural clinics'],
].map(([offeringId, label, categories, description]) => ({
  offeringId,
  label,
  permalink: `/offering/${String(label)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')}`,
  categories,
  description,
}));

async function call(url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const headers = new Headers(init?.headers);
  if (ingestionToken && url.startsWith(`${ingestion}/v1/`)) {
    headers.set('authorization', `Bearer ${ingestionToken}`);
  }
  const response = await fetch(url, { ...init, headers });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Markdown and plain text stay text.
  }
  return { status: response.status, body };
}

const post = (url: string, body: unknown) =>
  call(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

async function main(): Promise<number> {
  if ((await call(`${ingestion}/health/live`).catch(() => ({ status: 0 }))).status !== 200) {
    console.error(
      `the pipeline does not answer at ${ingestion}: start it with \`npm start\` first`,
    );
    return 1;
  }
  const { origin, server } = await startSampleSite();
  try {
    console.log(
      `sample site: ${origin} (the pipeline fetches it because FETCH_ALLOW_HOSTS lists 127.0.0.1)`,
    );
    console.log(`OpenProject work packages: ${publishRule(process.env)}`);
    const loaded = await post(`${ingestion}/v1/offerings`, OFFERINGS);
    console.log(`offerings catalogue: ${OFFERINGS.length} offerings → ${loaded.status}`);

    const submissions = [
      ...SAMPLE_ARTICLES.map((article) => ({
        label: article.title,
        url: `${origin}/news/${article.slug}`,
        topics: [article.topic],
      })),
      {
        label: 'broken: page 404s',
        url: `${origin}${BROKEN_PATHS.missing}`,
        topics: ['HIMSS: Digital Health'],
      },
      {
        label: 'broken: a PDF, not a page',
        url: `${origin}${BROKEN_PATHS.pdf}`,
        topics: ['HIMSS: Digital Health'],
      },
      {
        label: 'broken: redirects to cloud metadata',
        url: `${origin}${BROKEN_PATHS.metadataRedirect}`,
        topics: ['HIMSS: Digital Health'],
      },
      {
        label: 'broken image (item still published)',
        url: `${origin}${BROKEN_PATHS.brokenImage}`,
        topics: ['HIMSS: Digital Health'],
      },
    ];
    const items: Array<{ label: string; itemId: string }> = [];
    for (const { label, ...submission } of submissions) {
      const answer = await post(`${ingestion}/v1/items`, submission);
      if (answer.status !== 202)
        throw new Error(
          `submission of ${submission.url} answered ${answer.status}: ${JSON.stringify(answer.body)}`,
        );
      items.push({ label, itemId: (answer.body as { itemId: string }).itemId });
    }
    console.log(`submitted ${items.length} items\n`);

    const deadline = Date.now() + TIMEOUT_MS;
    const lastSeen = new Map<string, string>();
    let settled = false;
    while (!settled && Date.now() < deadline) {
      settled = true;
      for (const item of items) {
        const status = (await call(`${ingestion}/v1/items/${item.itemId}`)).body as ItemStatusView;
        const line = `${(status.state ?? 'waiting').padEnd(11)} ${(status.stage ?? '').padEnd(9)} ${item.label}${
          status.lastError ? ` — ${status.lastError.reason}` : ''
        }`;
        if (lastSeen.get(item.itemId) !== line)
          console.log(`${new Date().toISOString().slice(11, 19)}  ${line}`);
        lastSeen.set(item.itemId, line);
        settled &&= status.state === 'completed' || status.state === 'failed';
      }
      if (!settled) await new Promise((resolve) => setTimeout(resolve, 1000));
    }

    const found = await call(
      `${search}/v1/search?q=${encodeURIComponent('remote monitoring')}&category=${encodeURIComponent('HIMSS: Digital Health')}`,
    );
    console.log(
      `\nsearch "remote monitoring" in HIMSS: Digital Health →\n${JSON.stringify(found.body, null, 2)}`,
    );
    const document = await call(`${search}/v1/items/${items[0].itemId}/document`);
    console.log(`\npublished document of "${items[0].label}":\n${String(document.body)}`);
    return settled ? 0 : 1;
  } finally {
    server.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`demo failed: ${error.message}`);
    process.exit(1);
  },
);
