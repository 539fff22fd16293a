import { Test, type TestingModule } from '@nestjs/testing';
import { Topic, itemIdForUrl, offeringEventKey, type EventOf } from '@curation/contracts';
import { EventPublisher } from '@curation/kafka';
import { createOpenSearchClient } from '@curation/search';
import iconv from 'iconv-lite';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { randomInt, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually, testEnvironment, uniqueName } from '@curation/testing';
import { enrichmentConfigSchema, type EnrichmentConfig } from './config/enrichment.config';
import { EnrichmentModule } from './enrichment.module';
import { EnrichmentService } from './services/enrichment.service';

type Enriched = EventOf<typeof Topic.ItemEnriched>;
type Failed = EventOf<typeof Topic.ItemFailed>;

const environment = testEnvironment();
const runId = uniqueName('enrich');
const category = `Test: ${runId}`;
const HOST_INTERVAL_MS = 150;
/** Offering ids of this run only: earlier runs' offering events stay on the shared topic. */
const ID_BASE = 1_000_000_000 + randomInt(1, 1_000_000) * 100_000;

/** Shared topics carry other engineers' items too: each app instance only handles the items this test created. */
function ownItemsOnly(app: TestingModule, mine: Set<string>): void {
  const service = app.get(EnrichmentService);
  const handle = service.handleReceived.bind(service);
  service.handleReceived = (event: EventOf<typeof Topic.ItemReceived>) =>
    mine.has(event.itemId) ? handle(event) : Promise.resolve();
}

function configFor(name: string, allowHosts: string): EnrichmentConfig {
  return enrichmentConfigSchema.parse({
    KAFKA_BROKERS: environment.KAFKA_BROKERS.join(','),
    KAFKA_CLIENT_ID_PREFIX: `${runId}-${name}`,
    REDIS_URL: environment.REDIS_URL,
    OPENSEARCH_URL: environment.OPENSEARCH_URL,
    S3_ENDPOINT: environment.S3_ENDPOINT,
    S3_ACCESS_KEY_ID: environment.S3_ACCESS_KEY_ID,
    S3_SECRET_ACCESS_KEY: environment.S3_SECRET_ACCESS_KEY,
    S3_BUCKET: runId,
    LOG_LEVEL: 'warn',
    FETCH_ALLOW_HOSTS: allowHosts,
    QUEUE_PREFIX: `${runId}-${name}`,
    PAGE_FETCH_ATTEMPTS: '3',
    PAGE_FETCH_BACKOFF_MS: '100',
    PAGE_FETCH_TIMEOUT_MS: '1500',
    PAGE_FETCH_CONNECT_TIMEOUT_MS: '1000',
    PAGE_FETCH_HOST_INTERVAL_MS: String(HOST_INTERVAL_MS),
    PAGE_FETCH_CONCURRENCY: '4',
    OFFERINGS_INDEX: `${runId}-offerings`,
    ITEM_LINKS_INDEX: `${runId}-${name}-item-links`,
    RELINK_DELAY_MS: '200',
  });
}

async function startApp(config: EnrichmentConfig, mine: Set<string>): Promise<TestingModule> {
  const app = await Test.createTestingModule({
    imports: [EnrichmentModule.forRoot(config)],
  }).compile();
  ownItemsOnly(app, mine);
  await app.init();
  return app;
}

function articlePage(origin: string, title: string, extraHead = ''): string {
  const paragraphs = Array.from(
    { length: 4 },
    (_, index) =>
      `<p>Paragraph ${index} of ${title}: remote monitoring and digital care plans for hospital trusts, told at length.</p>`,
  ).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} | Loopback News</title>
<meta property="og:title" content="${title}"><meta property="og:site_name" content="Loopback News">
<meta property="og:image" content="${origin}/images/lead.jpg">${extraHead}</head>
<body><nav><a href="/">Home</a></nav><article><h1>${title}</h1>${paragraphs}</article></body></html>`;
}

describe('enrichment service against real Kafka, Redis, OpenSearch and a loopback site', () => {
  const mine = new Set<string>();
  const strictItems = new Set<string>();
  const enriched = new Map<string, Enriched[]>();
  const failed = new Map<string, Failed>();
  const requestTimes: number[] = [];
  const flakyHits = new Map<string, number>();
  const openResponses = new Set<ServerResponse>();
  let server: Server;
  let origin: string;
  let app: TestingModule;
  let strictApp: TestingModule;
  let reader: Consumer;
  const config = configFor('main', '127.0.0.0/8');

  function handler(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '/';
    // Redirect hops belong to one fetch; politeness spaces fetches, not hops.
    const isHop = /^\/redirect\/[0-2]$/.test(path) || path.includes('via=chain');
    if (!path.startsWith('/images/') && !isHop) requestTimes.push(Date.now());
    const html = (body: string, type = 'text/html; charset=utf-8') =>
      res.writeHead(200, { 'content-type': type }).end(body);
    if (path.startsWith('/article'))
      return void html(articlePage(origin, 'Digital guidance for trusts'));
    if (path === '/missing') return void res.writeHead(404).end('gone');
    if (path.startsWith('/flaky')) {
      const hits = (flakyHits.get(path) ?? 0) + 1;
      flakyHits.set(path, hits);
      if (hits === 1) return void res.writeHead(500).end('try again');
      return void html(articlePage(origin, 'Recovered after a retry'));
    }
    if (path.startsWith('/redirect/')) {
      const left = Number(path.split('/')[2]);
      return void res
        .writeHead(302, { location: left > 0 ? `/redirect/${left - 1}` : '/article?via=chain' })
        .end();
    }
    if (path === '/to-metadata') {
      return void res
        .writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' })
        .end();
    }
    if (path.startsWith('/to-scheme/')) {
      const targets: Record<string, string> = {
        file: 'file:///etc/passwd',
        ftp: `ftp://127.0.0.1/x`,
        javascript: 'javascript:alert(1)',
      };
      return void res.writeHead(302, { location: targets[path.split('/')[2]] }).end();
    }
    if (path === '/huge') {
      res.writeHead(200, { 'content-type': 'text/html' });
      const chunk = Buffer.alloc(256 * 1024, 'a');
      let sent = 0;
      const write = (): void => {
        while (sent < 30 * 1024 * 1024 && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', write);
        }
        res.end();
      };
      res.on('error', () => undefined);
      return write();
    }
    if (path === '/stall') {
      openResponses.add(res);
      res.writeHead(200, { 'content-type': 'text/html' });
      return void res.write('<html><head><title>never ends');
    }
    if (path === '/doc.pdf') return void html('%PDF-1.7\n%âãÏÓ\n1 0 obj', 'application/pdf');
    if (path === '/broken') {
      return void html(
        '<html><head><title>Broken page<meta name="description" content="half a tag"<body><article><p>Some text survives ' +
          'even in <b>broken <i>markup</p><div><p>and more of it here, long enough to read',
      );
    }
    if (path === '/cp1252') {
      const page = articlePage(
        origin,
        'Caf\u00e9 \u2018quotes\u2019 \u20ac prices',
        '<meta name="author" content="Ren\u00e9e Dupr\u00e9">',
      );
      return void res
        .writeHead(200, { 'content-type': 'text/html; charset=windows-1252' })
        .end(iconv.encode(page.replace('<meta charset="utf-8">', ''), 'windows-1252'));
    }
    if (path === '/hostile') {
      return void html(
        articlePage(
          origin,
          'Hostile meta',
          '<meta name="description" content="<script>alert(1)</script>"><meta name="keywords" content="---&#10;!!js/function x&#10;key: [a]">' +
            '<meta name="twitter:image" content="javascript:alert(2)"><meta property="og:image" content="javascript:alert(3)">' +
            '<script type="application/ld+json">{"@type":"NewsArticle","image":"javascript:alert(4)","author":{"name":"Eve"}}</script>',
        ).replace('<meta property="og:image" content="' + origin + '/images/lead.jpg">', '') +
          '<script>document.cookie</script><p onclick="steal()">x</p>',
      );
    }
    res.writeHead(500).end();
  }

  async function publishReceived(
    path: string,
    options: { topics?: string[]; strict?: boolean; urlOverride?: string } = {},
  ) {
    const url = options.urlOverride ?? `${origin}${path}`;
    const itemId = itemIdForUrl(`${url}#${randomUUID()}`);
    (options.strict ? strictItems : mine).add(itemId);
    const target = options.strict ? strictApp : app;
    await target.get(EventPublisher).publish(Topic.ItemReceived, {
      itemId,
      revision: 1,
      data: {
        source: 'submission',
        url,
        originalUrl: url,
        topics: options.topics ?? [category],
        updatedAt: new Date().toISOString(),
        customFields: {},
      },
    });
    return itemId;
  }

  const outcomeOf = (itemId: string) =>
    eventually(async () => enriched.get(itemId)?.[0] ?? failed.get(itemId), 60000);

  beforeAll(async () => {
    server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const kafka = new Kafka({
      clientId: `${runId}-reader`,
      brokers: environment.KAFKA_BROKERS,
      logLevel: logLevel.NOTHING,
    });
    reader = kafka.consumer({ groupId: `${runId}-reader` });
    await reader.connect();
    await reader.subscribe({ topics: [Topic.ItemEnriched, Topic.ItemFailed], fromBeginning: true });
    await reader.run({
      eachMessage: async ({ topic, message }) => {
        const itemId = message.key?.toString() ?? '';
        if (!mine.has(itemId) && !strictItems.has(itemId)) return;
        const event = JSON.parse(message.value!.toString()) as Enriched | Failed;
        if (topic === Topic.ItemEnriched)
          enriched.set(itemId, [...(enriched.get(itemId) ?? []), event as Enriched]);
        else failed.set(itemId, event as Failed);
      },
    });

    app = await startApp(config, mine);
    // The site's port is allowed, so the refusal below is the address rule at connect time.
    strictApp = await startApp(
      { ...configFor('strict', ''), FETCH_ALLOWED_PORTS: [Number(new URL(origin).port)] },
      strictItems,
    );

    const offerings = [
      { offeringId: 15651, label: 'League Platform', description: 'Health benefits platform' },
      { offeringId: 13376, label: "H1's HCP Universe", description: 'Provider data' },
      {
        offeringId: 10723,
        label: 'Digital Care Management for trusts',
        description: 'Remote monitoring and digital care plans',
      },
      {
        offeringId: 99999,
        label: 'Digital guidance elsewhere',
        description: 'in another category',
        other: true,
      },
    ];
    await app.get(EventPublisher).publishMany(
      Topic.OfferingUpserted,
      offerings.map(({ offeringId, label, description, other }) => ({
        itemId: offeringEventKey(offeringId + ID_BASE),
        revision: 1,
        data: {
          offeringId: offeringId + ID_BASE,
          label,
          description,
          permalink: `/offering/${runId}-${offeringId}`,
          categories: other ? [`Other: ${runId}`] : [category],
        },
      })),
    );
    const search = createOpenSearchClient(environment.OPENSEARCH_URL);
    await eventually(async () => {
      const count = await search
        .count({
          index: config.OFFERINGS_INDEX,
          body: { query: { terms: { categories: [category] } } },
        })
        .catch(() => undefined);
      return (count?.body.count ?? 0) >= 3 ? true : undefined;
    }, 60000);
  }, 120000);

  afterAll(async () => {
    for (const res of openResponses) res.destroy();
    await reader?.disconnect();
    await app?.close();
    await strictApp?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    const search = createOpenSearchClient(environment.OPENSEARCH_URL);
    await search.indices
      .delete({ index: `${runId}-*`, ignore_unavailable: true })
      .catch(() => undefined);
  });

  it('handles every kind of bad input with a clear outcome while good items keep flowing, politely', async () => {
    const ids = {
      good: await publishReceived('/article?n=1'),
      missing: await publishReceived('/missing'),
      flaky: await publishReceived('/flaky/1'),
      chain: await publishReceived('/redirect/3'),
      metadata: await publishReceived('/to-metadata'),
      file: await publishReceived('/to-scheme/file'),
      ftp: await publishReceived('/to-scheme/ftp'),
      javascript: await publishReceived('/to-scheme/javascript'),
      huge: await publishReceived('/huge'),
      stall: await publishReceived('/stall'),
      pdf: await publishReceived('/doc.pdf'),
      broken: await publishReceived('/broken'),
      cp1252: await publishReceived('/cp1252'),
      hostile: await publishReceived('/hostile'),
      last: await publishReceived('/article?n=2'),
    };
    const port = new URL(origin).port;
    const localhost = await publishReceived('', {
      strict: true,
      urlOverride: `http://localhost:${port}/article`,
    });

    const outcomes = Object.fromEntries(
      await Promise.all(
        Object.entries(ids).map(async ([name, id]) => [name, await outcomeOf(id)] as const),
      ),
    );
    const reasonOf = (name: keyof typeof ids) => (outcomes[name] as Failed).data;

    expect(outcomes.good.type).toBe(Topic.ItemEnriched);
    expect(outcomes.last.type).toBe(Topic.ItemEnriched);
    expect(reasonOf('missing')).toMatchObject({
      stage: 'enrichment',
      retryable: false,
      attempts: 1,
      reason: expect.stringMatching(/HTTP 404/),
    });
    expect(outcomes.flaky.type).toBe(Topic.ItemEnriched);
    expect(flakyHits.get('/flaky/1')).toBe(2);
    const chain = outcomes.chain as Enriched;
    expect(chain.data.page.finalUrl).toBe(`${origin}/article?via=chain`);
    expect(reasonOf('metadata')).toMatchObject({
      retryable: false,
      reason: 'address not allowed',
    });
    for (const scheme of ['file', 'ftp', 'javascript'] as const) {
      expect(reasonOf(scheme)).toMatchObject({
        retryable: false,
        reason: 'scheme not allowed',
      });
    }
    expect(reasonOf('huge')).toMatchObject({
      retryable: false,
      reason: 'too large',
    });
    expect(reasonOf('stall')).toMatchObject({
      retryable: true,
      attempts: 3,
      reason: 'timeout',
    });
    expect(reasonOf('pdf')).toMatchObject({
      retryable: false,
      reason: expect.stringMatching(/application\/pdf/),
    });

    const broken = outcomes.broken as Enriched;
    expect(broken.type).toBe(Topic.ItemEnriched);
    expect(broken.data.article.title.length).toBeGreaterThan(0);

    const cp1252 = outcomes.cp1252 as Enriched;
    expect(cp1252.data.article.title).toBe('Café ‘quotes’ € prices');
    expect(cp1252.data.page.authors).toEqual(['Renée Dupré']);
    expect(cp1252.data.article.bodyHtml).toContain('Café ‘quotes’ € prices');

    const hostile = outcomes.hostile as Enriched;
    expect(hostile.type).toBe(Topic.ItemEnriched);
    expect(hostile.data.page.imageCandidates).toEqual([]);
    expect(hostile.data.page.htmlMetaData.ogimage).toBeNull();
    expect(hostile.data.page.htmlMetaData.description).toBe('<script>alert(1)</script>');
    expect(hostile.data.article.bodyHtml).not.toMatch(/<script|onclick|javascript:/i);

    const strict = await outcomeOf(localhost);
    expect((strict as Failed).data).toMatchObject({
      retryable: false,
      reason: 'address not allowed',
    });

    const sorted = [...requestTimes].sort((a, b) => a - b);
    const gaps = sorted.slice(1).map((time, index) => time - sorted[index]);
    // Fetch starts are spaced by the interval; arrival at the server jitters with the machine's
    // load (one gap can shrink by what the previous arrival was late), the mean cannot.
    expect(gaps.reduce((sum, gap) => sum + gap, 0) / gaps.length).toBeGreaterThanOrEqual(
      HOST_INTERVAL_MS * 0.9,
    );
  }, 120000);

  it('publishes the full document data and links offerings of the same category by relevance', async () => {
    const itemId = await publishReceived('/article?n=offerings');
    const event = (await outcomeOf(itemId)) as Enriched;
    expect(event.type).toBe(Topic.ItemEnriched);
    expect(event.data.page).toMatchObject({
      title: 'Digital guidance for trusts | Loopback News',
      siteName: 'Loopback News',
      imageCandidates: [{ url: `${origin}/images/lead.jpg`, source: 'og:image' }],
      htmlMetaData: expect.objectContaining({
        ogsite_name: 'Loopback News',
        robots: null,
        keywords: null,
      }) as unknown,
      openGraphMetaData: expect.objectContaining({ ogimageheight: null }) as unknown,
    });
    expect(event.data.article.title).toBe('Digital guidance for trusts');
    expect(event.data.article.description).toMatch(
      /^Paragraph 0 of Digital guidance for trusts: .* Paragraph 1/,
    );
    expect(event.data.derived).toEqual({
      brand: '127.0.0.1',
      slug: '127-0-0-1-digital-guidance-for-trusts',
    });
    expect(event.data.relatedOfferings.map((offering) => offering.offeringId - ID_BASE)).toEqual([
      10723, 15651, 13376,
    ]);
  }, 90000);

  it('re-links an enriched item when the catalogue gains an offering in its category', async () => {
    const itemId = await publishReceived('/article?n=relink');
    const first = (await outcomeOf(itemId)) as Enriched;
    expect(first.data.relatedOfferings.map((offering) => offering.offeringId)).not.toContain(
      ID_BASE + 12_345,
    );
    await app.get(EventPublisher).publish(Topic.OfferingUpserted, {
      itemId: offeringEventKey(ID_BASE + 12_345),
      revision: 1,
      data: {
        offeringId: ID_BASE + 12_345,
        label: 'Digital guidance toolkit for trusts',
        description: 'Guidance for trusts',
        permalink: `/offering/${runId}-toolkit`,
        categories: [category],
      },
    });
    const relinked = await eventually(
      async () => enriched.get(itemId)?.find((event) => event.data.trigger === 'relink'),
      60000,
    );
    expect(relinked.data.relatedOfferings.map((offering) => offering.offeringId)).toContain(
      ID_BASE + 12_345,
    );
    expect(relinked.data.relatedOfferings).toHaveLength(4);
    expect(relinked.revision).toBe(1);
  }, 90000);
});
