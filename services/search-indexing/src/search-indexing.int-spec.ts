import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { loadConfig } from '@curation/config';
import { deadLetterTopic, Topic, type EventOf, type ItemImagedData } from '@curation/contracts';
import {
  DeadLetterHeader,
  EventPublisher,
  headerText,
  KAFKA_OPTIONS,
  kafkaOptionsFrom,
} from '@curation/kafka';
import { createOpenSearchClient } from '@curation/search';
import {
  ObjectStorageRepository,
  imageManifestKey,
  itemObjectPrefixes,
  renditionKey,
} from '@curation/storage';
import { Kafka, logLevel, type Consumer, type KafkaMessage } from 'kafkajs';
import request from 'supertest';
import { parse } from 'yaml';
import {
  HOSTILE_BODIES,
  expectInertMarkdown,
  markdownBodyOf,
  referenceItem,
  type ReferenceItem,
  startGroupAtEnd,
  eventually,
  testEnvironment,
  uniqueName,
} from '@curation/testing';
import { searchIndexingConfigSchema } from './config/search-indexing.config';
import { SearchIndexingModule, SERVICE_NAME } from './search-indexing.module';
import { PublishedDocumentService } from './services/published-document.service';
import { SearchIndexSetupService } from './services/search-index-setup.service';

jest.setTimeout(180000);

const environment = testEnvironment();
const run = uniqueName('si-test');
const config = loadConfig(searchIndexingConfigSchema, {
  ...process.env,
  SEARCH_INDEX_ALIAS: `${run}-content`,
  S3_BUCKET: run,
  KAFKA_CLIENT_ID_PREFIX: run,
  KAFKA_MAX_ATTEMPTS: '3',
  KAFKA_RETRY_INITIAL_DELAY_MS: '50',
  SEARCH_INDEX_REPLICAS: '0',
  LOG_LEVEL: 'warn',
});
const kafka = new Kafka({
  clientId: `${run}-reader`,
  brokers: environment.KAFKA_BROKERS,
  logLevel: logLevel.NOTHING,
});
const openSearch = createOpenSearchClient(environment.OPENSEARCH_URL);

async function readTopic(topic: string, seen: KafkaMessage[]): Promise<Consumer> {
  const groupId = `${run}-reader-${topic}`;
  await startGroupAtEnd(kafka, groupId, [topic]);
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  await consumer.subscribe({ topic });
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(message) });
  return consumer;
}

let counter = 0;
/** The reference item under an id of this run only (ids are derived from the OpenProject URL). */
function freshItem(
  revision = 12,
  change: (data: ItemImagedData) => void = () => {},
): ReferenceItem {
  const item = referenceItem({
    openProjectUrl: `https://${run}-${++counter}.openproject.example`,
    revision,
  });
  change(item.data);
  return item;
}

function withRevision(item: ReferenceItem, revision: number, title?: string): ReferenceItem {
  const copy = structuredClone(item);
  copy.revision = revision;
  if (title) copy.data.title = title;
  return copy;
}

describe('search-indexing against real Kafka, OpenSearch and S3', () => {
  let app: INestApplication;
  let publisher: EventPublisher;
  let storage: ObjectStorageRepository;
  const indexed: KafkaMessage[] = [];
  const deadLetters: KafkaMessage[] = [];
  const readers: Consumer[] = [];
  const itemIds = new Set<string>();

  beforeAll(async () => {
    await startGroupAtEnd(kafka, `${run}.${SERVICE_NAME}`, [
      Topic.ItemImaged,
      Topic.ItemRemoved,
      Topic.ItemRenditionsAdded,
    ]);
    readers.push(await readTopic(Topic.ItemIndexed, indexed));
    readers.push(await readTopic(deadLetterTopic(Topic.ItemImaged), deadLetters));
    const moduleRef = await Test.createTestingModule({
      imports: [SearchIndexingModule.forRoot(config)],
    })
      .overrideProvider(KAFKA_OPTIONS)
      .useValue({ ...kafkaOptionsFrom(config, SERVICE_NAME), exitOnCrash: false })
      .compile();
    app = moduleRef.createNestApplication({ logger: ['error'] });
    await app.init();
    publisher = app.get(EventPublisher);
    storage = app.get(ObjectStorageRepository);
  });

  afterAll(async () => {
    await Promise.all(readers.map((reader) => reader.disconnect()));
    if (storage) for (const itemId of itemIds) await storage.delete(`${itemId}.md`);
    await app?.get(SearchIndexSetupService).dropAll();
    await app?.close();
    await openSearch.close();
  });

  async function publishImaged(...items: ReferenceItem[]): Promise<void> {
    items.forEach((item) => itemIds.add(item.itemId));
    await publisher.publishMany(
      Topic.ItemImaged,
      items.map(({ itemId, revision, data }) => ({ itemId, revision, data })),
    );
  }

  async function publishRemoved(itemId: string, revision: number): Promise<void> {
    await publisher.publish(Topic.ItemRemoved, {
      itemId,
      revision,
      data: { reason: 'unpublished-status' },
    });
  }

  async function storedDocument(itemId: string) {
    const response = await openSearch.get(
      { index: config.SEARCH_INDEX_ALIAS, id: itemId },
      { ignore: [404] },
    );
    const body = response.body as {
      found: boolean;
      _version?: number;
      _source?: { title: string };
    };
    return body.found ? body : undefined;
  }

  function indexedEvents(itemId: string): Array<EventOf<typeof Topic.ItemIndexed>> {
    return indexed
      .filter((message) => message.key?.toString() === itemId)
      .map((message) => JSON.parse(message.value!.toString()) as EventOf<typeof Topic.ItemIndexed>);
  }

  function markdownTitle(markdown: string): string {
    return (parse(markdown.split('\n---\n')[0].slice(4)) as { title: string }).title;
  }

  it('publishes the reference item: search document, Markdown on S3, `indexed`, and the document API', async () => {
    const item = freshItem();
    await publishImaged(item);

    const [event] = await eventually(async () => {
      const events = indexedEvents(item.itemId);
      return events.length > 0 ? events : undefined;
    }, 60000);
    expect(event.revision).toBe(item.revision);
    expect(event.data).toEqual({
      index: config.SEARCH_INDEX_ALIAS,
      documentKey: `${item.itemId}.md`,
      bucket: config.S3_BUCKET,
      // What the editors' comment needs: where the document lives and what it came from.
      path: '/news/nhsx-sets-out-digital-guidance-for-nhs-trusts',
      url: item.data.url,
      canonicalUrl: item.data.page.canonicalUrl,
      workPackageId: 7614,
    });

    const stored = await storedDocument(item.itemId);
    expect(stored?._version).toBe(item.revision);
    const documents = app.get(PublishedDocumentService);
    const expected = documents.markdown(documents.build(item));
    expect((await storage.get(`${item.itemId}.md`))?.toString()).toBe(expected);

    const response = await request(app.getHttpServer())
      .get(`/v1/items/${item.itemId}/document`)
      .expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/markdown/);
    expect(response.text).toBe(expected);
  });

  it('hostile Markdown corpus: a hostile body read back from S3 renders inert', async () => {
    const hostileHtml = HOSTILE_BODIES.map((body) => `<p>${body.html}</p>`).join('\n\n');
    const item = freshItem(7, (data) => {
      data.descriptionHtml = undefined;
      data.article.bodyHtml = hostileHtml;
    });
    await publishImaged(item);
    await eventually(async () => (indexedEvents(item.itemId).length > 0 ? true : undefined), 60000);

    const markdown = (await storage.get(`${item.itemId}.md`))!.toString();
    expectInertMarkdown(markdown, markdownBodyOf(markdown));
    expect(markdown).toContain('&#91;Read more&#93;(javascript:alert(1))');
  });

  it('answers 404 for an item without a document and 400 for a malformed id', async () => {
    const server = app.getHttpServer();
    await request(server).get(`/v1/items/${freshItem().itemId}/document`).expect(404);
    const bad = await request(server).get('/v1/items/not-a-uuid/document').expect(400);
    expect(JSON.stringify(bad.body)).toMatch(/UUID/);
  });

  it('treats a redelivered event as a no-op: one document, version unchanged', async () => {
    const item = freshItem(20);
    await publishImaged(item);
    await eventually(async () => (indexedEvents(item.itemId).length >= 1 ? true : undefined));
    await publishImaged(item);
    await eventually(async () => (indexedEvents(item.itemId).length >= 2 ? true : undefined));

    expect((await storedDocument(item.itemId))?._version).toBe(20);
    await openSearch.indices.refresh({ index: config.SEARCH_INDEX_ALIAS });
    const count = await openSearch.count({
      index: config.SEARCH_INDEX_ALIAS,
      body: { query: { term: { itemId: item.itemId } } },
    });
    expect(count.body.count).toBe(1);
  });

  it('never lets an older revision overwrite a newer one', async () => {
    const newer = freshItem(31);
    newer.data.title = 'Newer title of the item';
    await publishImaged(newer);
    await eventually(async () => (indexedEvents(newer.itemId).length >= 1 ? true : undefined));
    const older = withRevision(newer, 30, 'Older title of the item');
    const marker = freshItem(5);
    await publishImaged(older, marker);
    await eventually(async () => (indexedEvents(marker.itemId).length >= 1 ? true : undefined));

    const stored = await storedDocument(newer.itemId);
    expect(stored?._version).toBe(31);
    expect(stored?._source?.title).toBe('Newer title of the item');
    const markdown = (await storage.get(`${newer.itemId}.md`))!.toString();
    expect(markdownTitle(markdown)).toBe('Newer title of the item');
    expect(indexedEvents(newer.itemId).map((event) => event.revision)).toEqual([31]);
  });

  it('adds the slow renditions to the document of their revision, never to a newer one, and leaves the Markdown as it was', async () => {
    const item = freshItem(40);
    const [main] = item.data.featuredImage.renditions;
    const slow = (format: 'webp' | 'avif') => ({
      ...main,
      key: renditionKey(item.itemId, 'featuredImage', format),
      format,
      contentType: `image/${format}`,
    });
    const renditionsAdded = (revision: number, format: 'webp' | 'avif') =>
      publisher.publish(Topic.ItemRenditionsAdded, {
        itemId: item.itemId,
        revision,
        data: { sourceSha256: 'a'.repeat(64), renditions: [slow(format)] },
      });
    const formatsOf = async () =>
      (
        (await storedDocument(item.itemId))?._source as { renditions?: Array<{ format: string }> }
      )?.renditions?.map(({ format }) => format);

    // image-processing announces them once the revision is indexed (its `indexed` starts the job).
    await publishImaged(item);
    await eventually(async () => (indexedEvents(item.itemId).length >= 1 ? true : undefined));
    await renditionsAdded(40, 'webp');
    await eventually(async () => ((await formatsOf())?.includes('webp') ? true : undefined));
    const markdown = (await storage.get(`${item.itemId}.md`))!.toString();
    await renditionsAdded(40, 'avif');
    await eventually(async () => ((await formatsOf())?.includes('avif') ? true : undefined));
    expect(await formatsOf()).toEqual(['jpeg', 'webp', 'avif']);
    expect((await storedDocument(item.itemId))?._version).toBe(40);
    expect((await storage.get(`${item.itemId}.md`))!.toString()).toBe(markdown);

    const newer = withRevision(item, 41, 'Newer title of the item');
    await publishImaged(newer);
    await eventually(async () => (indexedEvents(item.itemId).length >= 2 ? true : undefined));
    await renditionsAdded(40, 'webp');
    const marker = freshItem(5);
    await renditionsAdded(40, 'avif');
    await publishImaged(marker);
    await eventually(async () => (indexedEvents(marker.itemId).length >= 1 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const stored = await storedDocument(item.itemId);
    expect(stored?._version).toBe(41);
    expect(stored?._source?.title).toBe('Newer title of the item');
    expect(await formatsOf()).toEqual(['jpeg']);
  });

  it('indexes the good documents of a batch and dead-letters the one the mapping rejects', async () => {
    const good = [freshItem(3), freshItem(3)];
    // A keyword longer than Lucene's 32,766-byte term limit cannot be indexed.
    const bad = freshItem(3, (data) => void (data.topics = ['x'.repeat(40000)]));
    await publishImaged(good[0], bad, good[1]);

    for (const item of good) {
      await eventually(async () => (indexedEvents(item.itemId).length >= 1 ? true : undefined));
      expect((await storedDocument(item.itemId))?._version).toBe(3);
    }
    const letter = await eventually(async () =>
      deadLetters.find((message) => message.key?.toString() === bad.itemId),
    );
    expect(headerText(letter.headers, DeadLetterHeader.Reason)).toMatch(
      /OpenSearch rejected the document \(400\).*immense term/,
    );
    expect(await storedDocument(bad.itemId)).toBeUndefined();
    expect(await storage.head(`${bad.itemId}.md`)).toBeUndefined();
    expect(indexedEvents(bad.itemId)).toHaveLength(0);
  });

  it('removes an item, ignores an older revision after the removal, and republishes a newer one', async () => {
    const item = freshItem(40);
    await publishImaged(item);
    await eventually(async () => (indexedEvents(item.itemId).length >= 1 ? true : undefined));

    await publishRemoved(item.itemId, 41);
    await eventually(async () =>
      (await storedDocument(item.itemId)) === undefined &&
      (await storage.head(`${item.itemId}.md`)) === undefined
        ? true
        : undefined,
    );
    await request(app.getHttpServer()).get(`/v1/items/${item.itemId}/document`).expect(404);

    const marker = freshItem(1);
    await publishImaged(withRevision(item, 40), marker);
    await eventually(async () => (indexedEvents(marker.itemId).length >= 1 ? true : undefined));
    expect(await storedDocument(item.itemId)).toBeUndefined();
    expect(await storage.head(`${item.itemId}.md`)).toBeUndefined();

    await publishImaged(withRevision(item, 42, 'Published again'));
    await eventually(async () =>
      indexedEvents(item.itemId).some((event) => event.revision === 42) ? true : undefined,
    );
    expect((await storedDocument(item.itemId))?._source?.title).toBe('Published again');
    const document = await request(app.getHttpServer())
      .get(`/v1/items/${item.itemId}/document`)
      .expect(200);
    expect(markdownTitle(document.text)).toBe('Published again');
  });

  it('takedown leaves nothing of the item on S3 or in the index: Markdown, every rendition, the manifest', async () => {
    const item = freshItem(50);
    const neighbour = freshItem(50);
    await publishImaged(item, neighbour);
    await eventually(async () =>
      indexedEvents(item.itemId).length >= 1 && indexedEvents(neighbour.itemId).length >= 1
        ? true
        : undefined,
    );
    // What image-processing writes for an item, under the keys it writes them with.
    const imageObjects = (itemId: string) => [
      renditionKey(itemId, 'featuredImage', 'jpeg'),
      renditionKey(itemId, 'w480', 'webp'),
      renditionKey(itemId, 'w480', 'avif'),
      imageManifestKey(itemId),
    ];
    for (const key of [...imageObjects(item.itemId), ...imageObjects(neighbour.itemId)]) {
      await storage.put({ key, body: 'bytes', contentType: 'application/octet-stream' });
    }
    const objectsOf = async (itemId: string) =>
      (await Promise.all(itemObjectPrefixes(itemId).map((prefix) => storage.listKeys(prefix))))
        .flat()
        .sort();
    expect(await objectsOf(item.itemId)).toEqual(
      [`${item.itemId}.md`, ...imageObjects(item.itemId)].sort(),
    );

    await publisher.publish(Topic.ItemRemoved, {
      itemId: item.itemId,
      revision: 51,
      data: { reason: 'operator' },
    });
    await eventually(async () =>
      (await objectsOf(item.itemId)).length === 0 &&
      (await storedDocument(item.itemId)) === undefined
        ? true
        : undefined,
    );
    expect(await objectsOf(neighbour.itemId)).toEqual(
      [`${neighbour.itemId}.md`, ...imageObjects(neighbour.itemId)].sort(),
    );
    for (const key of imageObjects(neighbour.itemId)) await storage.delete(key);
  });

  describe('search API', () => {
    const topic = `${run} Topic: Remote Care`;
    let matching: ReferenceItem;

    beforeAll(async () => {
      matching = freshItem(7, (data) => {
        data.topics = [topic];
        data.title = 'Trusts explore remote monitoring';
      });
      const otherCategory = freshItem(7, (data) => {
        data.title = 'Trusts explore remote monitoring elsewhere';
      });
      await publishImaged(matching, otherCategory);
      for (const item of [matching, otherCategory]) {
        await eventually(async () => (indexedEvents(item.itemId).length >= 1 ? true : undefined));
      }
      await openSearch.indices.refresh({ index: config.SEARCH_INDEX_ALIAS });
    });

    it('finds words of the body (stemmed, markup stripped) within a category, with highlights and facets', async () => {
      const response = await request(app.getHttpServer())
        .get('/v1/search')
        .query({ q: 'consultation prescribing', category: topic, size: 5 })
        .expect(200);
      expect(response.body.total).toBe(1);
      expect(response.body.hits[0]).toMatchObject({
        itemId: matching.itemId,
        title: 'Trusts explore remote monitoring',
        categories: [topic],
        documentKey: `${matching.itemId}.md`,
      });
      const fragments: string[] = response.body.hits[0].highlights.body;
      expect(fragments.join(' ')).toMatch(/<mark>consultations<\/mark>/);
      expect(fragments.join(' ')).not.toMatch(/<p>|<a /);
      expect(response.body.facets.categories).toEqual([{ value: topic, count: 1 }]);

      const all = await request(app.getHttpServer())
        .get('/v1/search')
        .query({ q: 'remote monitoring', size: 100 })
        .expect(200);
      const values = all.body.facets.categories.map((facet: { value: string }) => facet.value);
      expect(values).toEqual(expect.arrayContaining([topic, 'HIMSS: Digital Health']));
    });

    it('answers 400 with a clear message for bad parameters', async () => {
      const server = app.getHttpServer();
      const tooBig = await request(server).get('/v1/search').query({ size: 101 }).expect(400);
      expect(tooBig.body.message).toEqual(['size: at most 100']);
      const negative = await request(server).get('/v1/search').query({ from: -1 }).expect(400);
      expect(negative.body.message).toEqual(['from: at least 0']);
      await request(server).get('/v1/search').query({ q: 'x', unknown: 'y' }).expect(400);
    });

    it('keeps query syntax from reaching OpenSearch as DSL', async () => {
      const server = app.getHttpServer();
      const search = (q: string) =>
        request(server).get('/v1/search').query({ q, category: topic, size: 5 }).expect(200);
      // As query DSL or Lucene syntax, each of these would match every document of the category.
      for (const q of ['{"match_all":{}}', '*:*', 'title:* OR body:*', ') ( *:* OR']) {
        expect({ q, total: (await search(q)).body.total }).toEqual({ q, total: 0 });
      }
      expect((await search('monitoring')).body.total).toBe(1);
    });

    it('reindexes into a new version behind the alias while searches keep answering', async () => {
      const setup = app.get(SearchIndexSetupService);
      const server = app.getHttpServer();
      let searches = 0;
      const failures: string[] = [];
      let done = false;
      const loop = (async () => {
        while (!done) {
          const response = await request(server)
            .get('/v1/search')
            .query({ q: 'consultation', category: topic });
          searches++;
          if (response.status !== 200 || response.body.total !== 1) {
            failures.push(`${response.status} ${JSON.stringify(response.body).slice(0, 200)}`);
          }
        }
      })();
      const before = await openSearch.count({ index: config.SEARCH_INDEX_ALIAS });
      const outcome = await setup.reindex({ deleteOld: true });
      await new Promise((resolve) => setTimeout(resolve, 500));
      done = true;
      await loop;

      expect(outcome.from).toEqual([`${config.SEARCH_INDEX_ALIAS}-v1`]);
      expect(outcome.to).toBe(`${config.SEARCH_INDEX_ALIAS}-v2`);
      expect(failures).toEqual([]);
      expect(searches).toBeGreaterThan(5);
      const after = await openSearch.count({ index: config.SEARCH_INDEX_ALIAS });
      expect(after.body.count).toBe(before.body.count);
      const stored = await storedDocument(matching.itemId);
      expect(stored?._version).toBe(7);
    });
  });
});
