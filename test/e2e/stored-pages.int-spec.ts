import { itemIdForWorkPackage } from '@curation/contracts';
import { createOpenSearchClient } from '@curation/search';
import {
  ObjectStorageRepository,
  createS3Client,
  markdownKey,
  rawPageKey,
  rawPagePrefix,
} from '@curation/storage';
import {
  CURATED_TYPE,
  eventually,
  fixturePath,
  StandInOpenProject,
  STATUS,
  uniqueName,
  webhookBody,
  workPackageJson,
} from '@curation/testing';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse, stringify } from 'yaml';
import {
  LOOPBACK_SOURCE_SETTINGS,
  Pipeline,
  WEBHOOK_SECRET,
  infraEnvironment,
  openProjectEnvironment,
} from './support/pipeline.harness';
import { SourceSite } from './support/source-site';

const START_TIMEOUT_MS = 300000;
const STEP_TIMEOUT_MS = 240000;
const REPO_ROOT = join(__dirname, '..', '..');

/** An article page naming its canonical URL; no image, so nothing but the page is ever fetched. */
function articleHtml(title: string, canonicalUrl: string): string {
  const paragraphs = Array.from(
    { length: 5 },
    (_, index) =>
      `<p>Paragraph ${index} of ${title}, long enough for the readable-body extractor to keep it as article text.</p>`,
  ).join('\n');
  return `<!doctype html><html lang="en"><head><title>${title}</title>
<link rel="canonical" href="${canonicalUrl}">
<meta name="description" content="What ${title} is about.">
</head><body><article><h1>${title}</h1>${paragraphs}</article></body></html>`;
}

describe('one article, one document; raw pages kept for re-extraction and re-rendering', () => {
  const runId = uniqueName('e2e');
  const openProject = new StandInOpenProject();
  const site = new SourceSite();
  const environment = infraEnvironment();
  const storage = new ObjectStorageRepository(createS3Client(environment), runId);
  let pipeline: Pipeline;
  /** What the CLI needs to find this run's queues, indexes and bucket. */
  let cliEnvironment: Record<string, string>;
  let curatedUrl: string;
  let curatedItemId: string;
  let submittedFirstItemId: string;
  let takenOverItemId: string;

  const ingestion = (path: string, init?: RequestInit) =>
    fetch(`${pipeline.url('ingestion')}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json' },
    });
  const statusOf = async (itemId: string) => {
    const response = await ingestion(`/v1/items/${itemId}`);
    return response.status === 200 ? ((await response.json()) as Record<string, unknown>) : {};
  };
  const documentOf = async (itemId: string) => {
    const response = await fetch(`${pipeline.url('search-indexing')}/v1/items/${itemId}/document`);
    return response.status === 200 ? response.text() : undefined;
  };
  const searchHits = async (q: string) => {
    const response = await fetch(
      `${pipeline.url('search-indexing')}/v1/search?q=${encodeURIComponent(q)}`,
    );
    return ((await response.json()) as { hits: Array<{ itemId: string }> }).hits.map(
      (hit) => hit.itemId,
    );
  };
  const submit = async (url: string) => {
    const response = await ingestion('/v1/items', {
      method: 'POST',
      body: JSON.stringify({ url, topics: ['HIMSS: Digital Health'] }),
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { itemId: string }).itemId;
  };

  async function publishWorkPackage(id: number, cleanUrl: string, subject: string) {
    const workPackage = workPackageJson({
      id,
      cleanUrl,
      sourceUrl: cleanUrl,
      attachments: [],
      subject,
    });
    openProject.put(workPackage);
    const body = webhookBody('work_package:updated', workPackage);
    const signature = createHmac('sha1', WEBHOOK_SECRET).update(body).digest('hex');
    const response = await fetch(`${pipeline.url('ingestion')}/webhooks/openproject`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-op-signature': `sha1=${signature}` },
      body,
    });
    expect(response.status).toBe(202);
    return itemIdForWorkPackage(openProject.baseUrl, id);
  }

  /** `exit 0`, else the exit code with what the CLI said, so a failure shows its reason. */
  const outcomeOf = (run: { code: number | null; stdout: string; stderr: string }) =>
    run.code === 0 ? 'exit 0' : `exit ${run.code}: ${run.stderr}${run.stdout}`;

  /** A plain progress line (the CLI's output when not on a terminal) of one item. */
  const progressLine = (label: string, itemId: string, result: string) =>
    new RegExp(`^${label} \\d+/\\d+ ${itemId} ${result}$`, 'm');

  /** `npm run cli -- <args>` as an operator runs it (not a terminal: plain progress lines). */
  function cli(
    args: string[],
    extraEnvironment: Record<string, string> = {},
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(
      join(REPO_ROOT, 'node_modules', '.bin', 'tsx'),
      [join(REPO_ROOT, 'scripts', 'cli', 'curation-cli.ts'), ...args],
      { env: { ...cliEnvironment, ...extraEnvironment }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  beforeAll(async () => {
    await site.start();
    await openProject.start();
    curatedUrl = `${site.origin}/news/curated-story`;
    site.page('/news/curated-story', articleHtml('Quokka curated story', curatedUrl));
    // The same article under another path (an AMP copy), naming the curated URL as canonical.
    site.page('/amp/news/curated-story', articleHtml('Quokka curated story', curatedUrl));
    site.page(
      '/news/submitted-first',
      articleHtml('Wombat submitted first', `${site.origin}/news/submitted-first`),
    );
    pipeline = await Pipeline.startIsolated(runId, {
      environment: {
        NODE_ENV: 'test',
        ...LOOPBACK_SOURCE_SETTINGS,
        ...openProjectEnvironment(openProject, CURATED_TYPE.id),
        OPENPROJECT_PUBLISH_STATUSES: STATUS.new.name,
      },
    });
    cliEnvironment = {
      ...(process.env as Record<string, string>),
      ...pipeline.environment,
      INGESTION_URL: pipeline.url('ingestion'),
    };
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await pipeline?.stop();
    await openProject.stop();
    await site.stop();
  });

  it(
    'links a submission of an article already curated as a work package to it: one document',
    async () => {
      curatedItemId = await publishWorkPackage(8801, curatedUrl, 'Quokka curated story');
      await eventually(() => documentOf(curatedItemId), 120000);

      const submittedId = await submit(
        `${site.origin}/amp/news/curated-story?utm_source=newsletter&utm_medium=email`,
      );
      expect(submittedId).not.toBe(curatedItemId);
      const status = await eventually(async () => {
        const current = await statusOf(submittedId);
        return current.state === 'duplicate' ? current : undefined;
      }, 120000);
      expect(status).toMatchObject({ duplicateOf: curatedItemId, removedReason: 'duplicate' });
      expect(await documentOf(submittedId)).toBeUndefined();
      expect(await storage.get(markdownKey(submittedId))).toBeUndefined();
      await eventually(async () => ((await searchHits('Quokka')).length > 0 ? true : undefined));
      expect(await searchHits('Quokka')).toEqual([curatedItemId]);
      expect(await statusOf(curatedItemId)).toMatchObject({ state: 'completed' });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'lets a work package take over an article a submission published: its document goes',
    async () => {
      submittedFirstItemId = await submit(`${site.origin}/news/submitted-first`);
      await eventually(() => documentOf(submittedFirstItemId), 120000);

      takenOverItemId = await publishWorkPackage(
        8802,
        `${site.origin}/news/submitted-first`,
        'Wombat submitted first',
      );
      await eventually(() => documentOf(takenOverItemId), 120000);
      await eventually(
        async () => ((await documentOf(submittedFirstItemId)) === undefined ? true : undefined),
        120000,
      );
      expect(await statusOf(submittedFirstItemId)).toMatchObject({
        state: 'duplicate',
        duplicateOf: takenOverItemId,
      });
      // Search sees both changes once the index has refreshed.
      await eventually(async () => {
        const hits = await searchHits('Wombat');
        return hits.length === 1 && hits[0] === takenOverItemId ? true : undefined;
      });
      expect(await searchHits('Wombat')).toEqual([takenOverItemId]);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'keeps each fetched page gzip under its item and revision, with its type and final URL',
    async () => {
      const { revision } = (await statusOf(curatedItemId)) as { revision: number };
      const stored = await storage.getObject(rawPageKey(curatedItemId, revision));
      expect(stored).toBeDefined();
      expect(stored!.contentType).toBe('application/gzip');
      expect(stored!.metadata).toMatchObject({
        'final-url': curatedUrl,
        'page-content-type': 'text/html; charset=utf-8',
      });
      expect(gunzipSync(stored!.body).toString()).toBe(
        articleHtml('Quokka curated story', curatedUrl),
      );
    },
    STEP_TIMEOUT_MS,
  );

  it(
    're-extracts every item from its stored page with the page server stopped: same documents',
    async () => {
      const before = await documentOf(curatedItemId);
      const takenOverBefore = await documentOf(takenOverItemId);
      const pageFetches = site.hits.get('/news/curated-story');
      const indexedAt = async (itemId: string) =>
        ((await statusOf(itemId)).stages as { indexed?: string } | undefined)?.indexed ?? '';
      const indexedBefore = [await indexedAt(curatedItemId), await indexedAt(takenOverItemId)];
      // The same bytes under a marker: a rewrite of the Markdown would drop it.
      const key = markdownKey(curatedItemId);
      const stored = (await storage.getObject(key))!;
      await storage.put({
        key,
        body: stored.body,
        contentType: stored.contentType!,
        metadata: { ...stored.metadata, marker: 'not-rewritten' },
      });
      await site.stop();

      const run = await cli(['items', 'reextract', '--all', '--wait-seconds', '180']);
      expect(outcomeOf(run)).toBe('exit 0');
      // The enriched items: both work packages (duplicates are not enriched). The shared topics
      // may bring other suites' items to this run's services too: only ours are asserted on.
      expect(run.stdout).toMatch(progressLine('re-extracting', curatedItemId, 'enriched'));
      expect(run.stdout).toMatch(progressLine('re-extracting', takenOverItemId, 'enriched'));
      expect(run.stdout).toMatch(/^\d+ item\(s\): enriched \d+, pending 0$/m);

      // Both new `enriched` events flowed on to indexing (a new `indexed` of the same revision)...
      await eventually(
        async () =>
          (await indexedAt(curatedItemId)) > indexedBefore[0] &&
          (await indexedAt(takenOverItemId)) > indexedBefore[1]
            ? true
            : undefined,
        120000,
      );
      // ... which found the Markdown already equal and wrote nothing.
      expect((await storage.head(key))?.metadata.marker).toBe('not-rewritten');
      expect(await documentOf(curatedItemId)).toBe(before);
      expect(await documentOf(takenOverItemId)).toBe(takenOverBefore);
      expect(site.hits.get('/news/curated-story')).toBe(pageFetches);
      expect(await statusOf(curatedItemId)).toMatchObject({ state: 'completed' });

      const single = await cli(['items', 'reextract', curatedItemId, '--json']);
      expect(outcomeOf(single)).toBe('exit 0');
      expect(JSON.parse(single.stdout)).toEqual({ items: 1, enriched: 1, pending: 0 });
      expect(await documentOf(curatedItemId)).toBe(before);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    're-renders a Markdown document that differs from its rendering, and writes nothing the second time',
    async () => {
      const original = (await storage.get(markdownKey(curatedItemId)))!.toString();
      await storage.put({
        key: markdownKey(curatedItemId),
        body: original.replace('Quokka', 'Tampered'),
        contentType: 'text/markdown; charset=utf-8',
        metadata: { 'item-id': curatedItemId, revision: '0' },
      });
      await storage.delete(markdownKey(takenOverItemId));

      const first = await cli(['items', 'rerender']);
      expect(outcomeOf(first)).toBe('exit 0');
      expect(first.stdout).toMatch(progressLine('re-rendering', curatedItemId, 'rewritten'));
      expect(first.stdout).toMatch(progressLine('re-rendering', takenOverItemId, 'rewritten'));
      expect(first.stdout).toMatch(
        /^\d+ document\(s\): rewritten 2, unchanged \d+, newer-in-storage 0$/m,
      );
      expect((await storage.get(markdownKey(curatedItemId)))!.toString()).toBe(original);
      expect(await documentOf(takenOverItemId)).toBeDefined();

      const second = await cli(['items', 'rerender', '--json']);
      expect(outcomeOf(second)).toBe('exit 0');
      const summary = JSON.parse(second.stdout) as Record<string, number>;
      expect(summary).toMatchObject({ rewritten: 0, 'newer-in-storage': 0 });
      expect(summary.unchanged).toBe(summary.documents);
      expect(summary.documents).toBeGreaterThanOrEqual(2);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    're-renders after a content-type change: the new constants in the Markdown and the index, the rest unchanged',
    async () => {
      // The Research type of the fixture, chosen here by the topic both work packages carry.
      const researchFile = parse(
        readFileSync(fixturePath('content-types/research.content-types.yaml'), 'utf8'),
      ) as { rules: object[] };
      researchFile.rules.unshift({ topic: 'HIMSS: Digital Health', type: 'research' });
      const researchPath = join(mkdtempSync(join(tmpdir(), 'rerender-')), 'content-types.yaml');
      writeFileSync(researchPath, stringify(researchFile));
      const CONTENT_TYPE_FIELDS = [
        ...['aliases', 'archetype', 'basePath', 'breadcrumbLinks', 'breadcrumbs'],
        ...['contentCategories', 'institution', 'offering', 'layOut', 'favIconImage'],
        ...['featuredPdf', 'identifier', 'mastHead', 'openProjectWorkPackageType'],
        ...['searchCategory', 'source', 'status', 'sub', 'tags', 'via'],
        ...['insights_description', 'insights_name', 'viaLink'],
      ];
      const splitMarkdown = (markdown: string) => {
        const end = markdown.indexOf('\n---\n', 4);
        return {
          frontMatter: parse(markdown.slice(4, end)) as Record<string, unknown>,
          body: markdown.slice(end + 5),
        };
      };
      const withoutTypeFields = (record: Record<string, unknown>) =>
        Object.fromEntries(
          Object.entries(record).filter(([key]) => !CONTENT_TYPE_FIELDS.includes(key)),
        );
      const search = createOpenSearchClient(environment.OPENSEARCH_URL);
      const indexed = async (itemId: string) => {
        const response = await search.get({ index: cliEnvironment.SEARCH_INDEX_ALIAS, id: itemId });
        return {
          version: response.body._version,
          source: response.body._source as Record<string, unknown> & {
            frontMatter: Record<string, unknown>;
          },
        };
      };
      try {
        const markdownBefore = (await storage.get(markdownKey(curatedItemId)))!.toString();
        const indexedBefore = await indexed(curatedItemId);
        expect(indexedBefore.source.contentType).toBe('curated-content');

        const first = await cli(['items', 'rerender'], { CONTENT_TYPES_FILE: researchPath });
        expect(outcomeOf(first)).toBe('exit 0');
        expect(first.stdout).toMatch(progressLine('re-rendering', curatedItemId, 'rewritten'));
        expect(first.stdout).toMatch(progressLine('re-rendering', takenOverItemId, 'rewritten'));
        expect(first.stdout).toMatch(
          /^\d+ document\(s\): rewritten \d+, unchanged \d+, newer-in-storage 0$/m,
        );

        const before = splitMarkdown(markdownBefore);
        const after = splitMarkdown((await storage.get(markdownKey(curatedItemId)))!.toString());
        const title = before.frontMatter.title as string;
        expect(after.frontMatter).toMatchObject({
          archetype: 'research',
          contentCategories: 'netspective-medigy-research-curated-content',
          identifier: 'Research',
          searchCategory: 'Research',
          tags: ['Research'],
          basePath: '/research/',
          mastHead: 'RESEARCH',
          breadcrumbs: ['Home', 'Research', title],
          breadcrumbLinks: ['/', '/research/', ''],
          aliases: (before.frontMatter.aliases as string).replace(/^\/news\//, '/research/'),
        });
        expect(withoutTypeFields(after.frontMatter)).toEqual(withoutTypeFields(before.frontMatter));
        expect(Object.keys(after.frontMatter)).toEqual(Object.keys(before.frontMatter));
        expect(after.body).toBe(before.body);

        // The index holds the same: the new type, the same front matter, at the same revision.
        const indexedAfter = await indexed(curatedItemId);
        expect(indexedAfter.version).toBe(indexedBefore.version);
        expect(indexedAfter.source.contentType).toBe('research');
        expect(indexedAfter.source.frontMatter).toEqual(after.frontMatter);
        expect({ ...indexedAfter.source, contentType: null, frontMatter: null }).toEqual({
          ...indexedBefore.source,
          contentType: null,
          frontMatter: null,
        });

        const second = await cli(['items', 'rerender', '--json'], {
          CONTENT_TYPES_FILE: researchPath,
        });
        expect(outcomeOf(second)).toBe('exit 0');
        const summary = JSON.parse(second.stdout) as Record<string, number>;
        expect(summary).toMatchObject({ rewritten: 0, 'newer-in-storage': 0 });
        expect(summary.unchanged).toBe(summary.documents);

        // Back to the built-in configuration: the Markdown is again what indexing wrote.
        const back = await cli(['items', 'rerender']);
        expect(outcomeOf(back)).toBe('exit 0');
        expect(back.stdout).toMatch(progressLine('re-rendering', curatedItemId, 'rewritten'));
        expect((await storage.get(markdownKey(curatedItemId)))!.toString()).toBe(markdownBefore);
        expect((await indexed(curatedItemId)).source).toEqual(indexedBefore.source);
      } finally {
        await search.close();
      }
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'deletes the raw pages with the rest of an item when it is taken down',
    async () => {
      expect(await storage.listKeys(rawPagePrefix(curatedItemId))).not.toEqual([]);
      expect((await ingestion(`/v1/items/${curatedItemId}`, { method: 'DELETE' })).status).toBe(
        202,
      );
      await eventually(
        async () =>
          (await storage.listKeys(rawPagePrefix(curatedItemId))).length === 0 ? true : undefined,
        120000,
      );
      expect(await documentOf(curatedItemId)).toBeUndefined();
    },
    STEP_TIMEOUT_MS,
  );
});
