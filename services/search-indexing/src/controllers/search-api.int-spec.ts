import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { loadConfig } from '@curation/config';
import { Topic, type ItemImagedData } from '@curation/contracts';
import { KAFKA_OPTIONS, kafkaOptionsFrom } from '@curation/kafka';
import { setupOpenApi } from '@curation/platform';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Kafka, logLevel } from 'kafkajs';
import request from 'supertest';
import { referenceItem, startGroupAtEnd, testEnvironment, uniqueName } from '@curation/testing';
import { searchIndexingConfigSchema } from '../config/search-indexing.config';
import { SearchIndexRepository } from '../repositories/search-index.repository';
import { SEARCH_INDEXING_OPENAPI } from '../search-indexing.http';
import { SearchIndexingModule, SERVICE_NAME } from '../search-indexing.module';
import { PublishedDocumentService } from '../services/published-document.service';
import { SearchIndexSetupService } from '../services/search-index-setup.service';

jest.setTimeout(180000);

const environment = testEnvironment();
const run = uniqueName('search-api');
const config = loadConfig(searchIndexingConfigSchema, {
  ...process.env,
  SEARCH_INDEX_ALIAS: `${run}-content`,
  S3_BUCKET: run,
  KAFKA_CLIENT_ID_PREFIX: run,
  SEARCH_INDEX_REPLICAS: '0',
  SEARCH_CURSOR_SECRET: 'a-test-key-of-at-least-32-characters',
  LOG_LEVEL: 'warn',
});

interface Hit {
  itemId: string;
  title: string;
  brand: string;
  sortDate: string;
  score: number | null;
}

let counter = 0;
function item(change: (data: ItemImagedData) => void) {
  const made = referenceItem({
    openProjectUrl: `https://${run}-${++counter}.openproject.example`,
    revision: 1,
  });
  change(made.data);
  return made;
}

/** Midnight UTC of a day in March 2026, plus `minutes`. */
const march = (day: number, minutes = 0) =>
  new Date(Date.UTC(2026, 2, day, 0, minutes)).toISOString();

describe('search API against a real OpenSearch node', () => {
  let app: INestApplication;
  let server: ReturnType<INestApplication['getHttpServer']>;
  let repository: SearchIndexRepository;
  let documents: PublishedDocumentService;

  beforeAll(async () => {
    const kafka = new Kafka({
      clientId: `${run}-setup`,
      brokers: environment.KAFKA_BROKERS,
      logLevel: logLevel.NOTHING,
    });
    await startGroupAtEnd(kafka, `${run}.${SERVICE_NAME}`, [Topic.ItemImaged, Topic.ItemRemoved]);
    const moduleRef = await Test.createTestingModule({
      imports: [SearchIndexingModule.forRoot(config)],
    })
      .overrideProvider(KAFKA_OPTIONS)
      .useValue({ ...kafkaOptionsFrom(config, SERVICE_NAME), exitOnCrash: false })
      .compile();
    app = moduleRef.createNestApplication({ logger: ['error'] });
    setupOpenApi(app, SEARCH_INDEXING_OPENAPI);
    await app.init();
    server = app.getHttpServer();
    repository = app.get(SearchIndexRepository);
    documents = app.get(PublishedDocumentService);
  });

  afterAll(async () => {
    await app?.get(SearchIndexSetupService).dropAll();
    await app?.close();
  });

  /** Writes the documents the way the indexing path builds them, then makes them searchable. */
  async function index(...items: Array<ReturnType<typeof item>>): Promise<string[]> {
    const results = await repository.bulk(
      config.SEARCH_INDEX_ALIAS,
      items.map((each) => ({
        kind: 'upsert' as const,
        id: each.itemId,
        version: each.revision,
        document: documents.build(each).search,
      })),
    );
    expect(results.filter((result) => result.status >= 300)).toEqual([]);
    await repository.refresh(config.SEARCH_INDEX_ALIAS);
    return items.map((each) => each.itemId);
  }

  const search = (query: Record<string, string | number>) =>
    request(server).get('/v1/search').query(query);

  describe('filters and sort', () => {
    const category = `${run} Topic: Dates`;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      const dated = (key: string, change: (data: ItemImagedData) => void) => {
        const made = item((data) => {
          data.topics = [category];
          data.title = `Dated article ${key}`;
          change(data);
        });
        ids[key] = made.itemId;
        return made;
      };
      await index(
        // The article date decides, however recent the work package is.
        dated('articleInRange', (data) => {
          data.page.publishedAt = '2020-01-15T09:00:00Z';
          data.updatedAt = '2026-03-01T10:00:00Z';
          data.derived.brand = `${run}-brand-a`;
        }),
        // No article date: the work-package date decides.
        dated('workPackageInRange', (data) => {
          data.page.publishedAt = undefined;
          data.updatedAt = '2020-02-10T10:00:00Z';
          data.derived.brand = `${run}-brand-b`;
        }),
        // The work-package date is in range, but the article says it is older.
        dated('articleBefore', (data) => {
          data.page.publishedAt = '2019-12-31T23:00:00Z';
          data.updatedAt = '2020-01-20T10:00:00Z';
          data.derived.brand = `${run}-brand-a`;
        }),
        dated('workPackageAfter', (data) => {
          data.page.publishedAt = undefined;
          data.updatedAt = '2020-03-01T00:00:00Z';
          data.derived.brand = `${run}-brand-b`;
        }),
      );
    });

    const itemIds = (hits: Hit[]) => hits.map((hit) => hit.itemId);

    it('since/until: the article date when known, else the work-package date; a day includes all of it', async () => {
      const response = await search({
        category,
        since: '2020-01-01',
        until: '2020-02-29',
        sort: 'date',
      }).expect(200);
      expect(itemIds(response.body.hits)).toEqual([ids.workPackageInRange, ids.articleInRange]);
      expect(response.body.total).toBe(2);

      const lastDay = await search({ category, since: '2020-02-10', until: '2020-02-10' });
      expect(itemIds(lastDay.body.hits)).toEqual([ids.workPackageInRange]);
      const instant = await search({ category, until: '2020-01-01T00:30:00+01:00' });
      expect(itemIds(instant.body.hits)).toEqual([ids.articleBefore]);
    });

    it('sort=date: newest first, by the same date', async () => {
      const response = await search({ category, sort: 'date', q: 'dated' }).expect(200);
      expect(itemIds(response.body.hits)).toEqual([
        ids.workPackageAfter,
        ids.workPackageInRange,
        ids.articleInRange,
        ids.articleBefore,
      ]);
      expect(response.body.hits.map((hit: Hit) => hit.score)).toEqual([null, null, null, null]);
      expect(response.body.nextCursor).toBeNull();
    });

    it('brand filter, with brand facets', async () => {
      const response = await search({ category, brand: `${run}-brand-a` }).expect(200);
      expect(itemIds(response.body.hits).sort()).toEqual(
        [ids.articleInRange, ids.articleBefore].sort(),
      );
      const all = await search({ category }).expect(200);
      expect(all.body.facets.brands).toEqual([
        { value: `${run}-brand-a`, count: 2 },
        { value: `${run}-brand-b`, count: 2 },
      ]);
      expect((await search({ category, brand: `${run}-brand-c` })).body.total).toBe(0);
    });
  });

  describe('cursor paging while new documents arrive', () => {
    const category = `${run} Topic: Paging`;
    let arriving = 0;

    /** Titles vary in how often they say the word, so relevance scores differ. */
    function pagingItem(date: string) {
      return item((data) => {
        data.topics = [category];
        data.title = `Telehealth ${'telehealth '.repeat(counter % 4)}report ${counter}`;
        data.page.publishedAt = date;
      });
    }

    async function pageThrough(query: Record<string, string>, original: Set<string>) {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const response = await search({ ...query, size: 10, ...(cursor ? { cursor } : {}) });
        expect(response.status).toBe(200);
        seen.push(...response.body.hits.map((hit: Hit) => hit.itemId));
        cursor = response.body.nextCursor ?? undefined;
        pages++;
        // Newer, older and same-dated documents land between two pages.
        arriving++;
        await index(
          pagingItem(march(28, arriving)),
          pagingItem(march(1, -arriving)),
          pagingItem(march(7, 1)),
        );
      } while (cursor && pages < 20);
      const originalSeen = seen.filter((id) => original.has(id));
      expect(new Set(originalSeen).size).toBe(originalSeen.length);
      expect(new Set(originalSeen)).toEqual(original);
      return pages;
    }

    let original: Set<string>;

    beforeAll(async () => {
      // Several share a date, so only the tiebreaker orders them.
      const items = Array.from({ length: 25 }, (_, position) =>
        pagingItem(march(2 + (position % 12), position % 3)),
      );
      original = new Set(await index(...items));
    });

    it('sort=date: every one of the 25 once, no gaps', async () => {
      const pages = await pageThrough({ category, sort: 'date' }, new Set(original));
      expect(pages).toBeGreaterThanOrEqual(3);
    });

    it('sort=relevance: every one of the 25 once, from a point in time', async () => {
      const first = await search({ category, q: 'telehealth', size: 10 }).expect(200);
      const [payload] = (first.body.nextCursor as string).split('.');
      expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toMatchObject({
        pit: expect.any(String),
      });
      const pages = await pageThrough({ category, q: 'telehealth' }, new Set(original));
      // The point in time froze the 25 (and what arrived before the first page): 3 pages.
      expect(pages).toBeGreaterThanOrEqual(3);
    });

    it('refuses a cursor of another query, a tampered one, and cursor with from', async () => {
      const first = await search({ category, sort: 'date', size: 5 }).expect(200);
      const cursor: string = first.body.nextCursor;
      expect(cursor).toEqual(expect.any(String));
      const next = await search({ category, sort: 'date', size: 7, cursor }).expect(200);
      expect(next.body.hits).toHaveLength(7);

      const other = await search({ category, q: 'report', sort: 'date', cursor }).expect(400);
      expect(other.body.message).toEqual([
        expect.stringMatching(/^cursor: made for another query/),
      ]);
      const [payload, signature] = cursor.split('.');
      const state = JSON.parse(Buffer.from(payload, 'base64url').toString()) as {
        after: unknown[];
      };
      state.after = [Date.UTC(2030, 0, 1), ''];
      const forged = `${Buffer.from(JSON.stringify(state)).toString('base64url')}.${signature}`;
      const tampered = await search({ category, sort: 'date', cursor: forged }).expect(400);
      expect(tampered.body.message).toEqual([
        expect.stringMatching(/^cursor: not a cursor of this API/),
      ]);
      const withFrom = await search({ category, sort: 'date', cursor, from: 0 }).expect(400);
      expect(withFrom.body.message).toEqual([
        expect.stringMatching(/^from: not together with cursor/),
      ]);
    });
  });

  describe('bad input', () => {
    it('names unknown and repeated parameters', async () => {
      const unknown = await request(server).get('/v1/search?q=x&page=2&sort=date').expect(400);
      expect(unknown.body.message).toEqual(['page: unknown parameter']);
      const repeated = await request(server).get('/v1/search?q=a&q=b&brand=x').expect(400);
      expect(repeated.body.message).toEqual(['q: given more than once']);
    });

    it('refuses since after until, bad dates, sorts and sizes with the reason', async () => {
      const reversed = await search({ since: '2026-03-02', until: '2026-03-01' }).expect(400);
      expect(reversed.body.message).toEqual(['since: must not be after until']);
      const bad = await search({ since: 'last week', sort: 'popular', size: 500 }).expect(400);
      expect(bad.body.message).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^since: a date/),
          'sort: one of relevance, date',
          'size: at most 100',
        ]),
      );
    });
  });

  describe('suggest', () => {
    beforeAll(async () => {
      await index(
        item((data) => void (data.title = `Remote monitoring ${run} takes off`)),
        item((data) => void (data.title = `Remodelling ${run} the ward`)),
      );
    });

    it('completes the last word typed and matches the words before it', async () => {
      const partial = await request(server)
        .get('/v1/suggest')
        .query({ q: `remote monitoring ${run.slice(0, 9)}` })
        .expect(200);
      expect(partial.body).toEqual([
        expect.objectContaining({ title: `Remote monitoring ${run} takes off` }),
      ]);
      const prefix = await request(server)
        .get('/v1/suggest')
        .query({ q: `${run} t` })
        .expect(200);
      expect(prefix.body.map((each: { title: string }) => each.title).sort()).toEqual(
        [`Remodelling ${run} the ward`, `Remote monitoring ${run} takes off`].sort(),
      );
    });

    it('answers [] for one character, and 400 for unknown parameters', async () => {
      expect((await request(server).get('/v1/suggest').query({ q: 'r' }).expect(200)).body).toEqual(
        [],
      );
      expect((await request(server).get('/v1/suggest').expect(200)).body).toEqual([]);
      await request(server).get('/v1/suggest').query({ q: 'remote', size: 3 }).expect(400);
    });
  });

  describe('API description', () => {
    it('serves a valid OpenAPI 3 document with the search routes and their parameters', async () => {
      const response = await request(server).get('/openapi.json').expect(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      // Throws, naming the first problem, when the document breaks the OpenAPI 3 schema.
      await expect(SwaggerParser.validate(structuredClone(response.body))).resolves.toBeDefined();
      expect(response.body.openapi).toMatch(/^3\./);
      expect(Object.keys(response.body.paths)).toEqual(
        expect.arrayContaining(['/v1/search', '/v1/suggest', '/v1/items/{itemId}/document']),
      );
      const parameters = response.body.paths['/v1/search'].get.parameters.map(
        (parameter: { name: string }) => parameter.name,
      );
      expect(parameters.sort()).toEqual(
        ['brand', 'category', 'cursor', 'from', 'q', 'since', 'size', 'sort', 'until'].sort(),
      );
    });

    it('serves Swagger UI and its assets at /docs', async () => {
      const page = await request(server).get('/docs').expect(200);
      expect(page.text).toMatch(/swagger-ui/i);
      // Every script and stylesheet the page names, resolved as a browser would from /docs.
      const assets = [...page.text.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)].map(
        ([, path]) => new URL(path, 'http://host/docs').pathname,
      );
      expect(assets).toEqual(expect.arrayContaining(['/docs/swagger-ui-bundle.js']));
      for (const asset of assets) {
        const response = await request(server).get(asset);
        expect({ asset, status: response.status }).toEqual({ asset, status: 200 });
      }
      const init = await request(server).get('/docs/swagger-ui-init.js').expect(200);
      expect(init.text).toContain('/v1/search');
    });
  });
});
