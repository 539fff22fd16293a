import { randomUUID } from 'node:crypto';
import { Topic, createEvent, type EventOf } from '@curation/contracts';
import type { EventPublisher } from '@curation/kafka';
import type { ObjectStorageRepository, StoredObject } from '@curation/storage';
import { automock, referenceItem } from '@curation/testing';
import { resolveContentTypes } from '../config/content-types.config';
import { searchIndexingConfigSchema } from '../config/search-indexing.config';
import type {
  BulkItemResult,
  BulkOperation,
  SearchIndexRepository,
} from '../repositories/search-index.repository';
import {
  IndexingService,
  NotIndexedYetError,
  SearchIndexUnavailableError,
} from './indexing.service';
import { PublishedDocumentService } from './published-document.service';
import type { SearchDocument } from './published-document.types';

/** An in-memory index that answers bulk items the way OpenSearch does with `external_gte` versions. */
class FakeSearchIndex {
  readonly versions = new Map<string, number>();
  readonly documents = new Map<string, SearchDocument>();
  readonly rejected = new Map<string, BulkItemResult>();
  bulkCalls = 0;

  async bulk(_index: string, operations: BulkOperation[]): Promise<BulkItemResult[]> {
    this.bulkCalls++;
    return operations.map((operation) => {
      const rejection = this.rejected.get(operation.id);
      if (rejection) return rejection;
      const current = this.versions.get(operation.id);
      if (operation.kind === 'upsert') {
        if (current !== undefined && current > operation.version)
          return { id: operation.id, status: 409 };
        this.versions.set(operation.id, operation.version);
        this.documents.set(operation.id, operation.document);
        return { id: operation.id, status: current === undefined ? 201 : 200 };
      }
      if (current !== undefined && current > operation.version)
        return { id: operation.id, status: 409 };
      this.versions.delete(operation.id);
      this.documents.delete(operation.id);
      return { id: operation.id, status: current === undefined ? 404 : 200 };
    });
  }
}

class FakeStorage {
  readonly bucket = 'test-bucket';
  readonly objects = new Map<string, StoredObject>();
  async put(object: StoredObject): Promise<void> {
    this.objects.set(object.key, object);
  }
  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }
  async listKeys(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((key) => key.startsWith(prefix));
  }
  async deleteMany(keys: string[]): Promise<void> {
    for (const key of keys) this.objects.delete(key);
  }
}

class FakePublisher {
  readonly published: Array<{ topic: Topic; itemId: string; revision: number }> = [];
  readonly dataOf = new Map<string, unknown>();
  async publishMany(
    topic: Topic,
    events: Array<{ itemId: string; revision: number; data: unknown }>,
  ) {
    this.published.push(...events.map(({ itemId, revision }) => ({ topic, itemId, revision })));
    for (const { itemId, data } of events) this.dataOf.set(`${topic} ${itemId}`, data);
    return [];
  }
}

function imaged(revision: number, openProjectUrl = 'https://op.example') {
  const item = referenceItem({ openProjectUrl, revision });
  return createEvent(Topic.ItemImaged, { itemId: item.itemId, revision, data: item.data });
}

describe('IndexingService', () => {
  let index: FakeSearchIndex;
  let storage: FakeStorage;
  let publisher: FakePublisher;
  let service: IndexingService;

  beforeEach(() => {
    index = new FakeSearchIndex();
    storage = new FakeStorage();
    publisher = new FakePublisher();
    const config = searchIndexingConfigSchema.parse({
      KAFKA_BROKERS: '127.0.0.1:9092',
      OPENSEARCH_URL: 'http://127.0.0.1:9200',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_ACCESS_KEY_ID: 'key',
      S3_SECRET_ACCESS_KEY: 'secret',
      SEARCH_BULK_MAX_DOCUMENTS: '2',
    });
    const repository = automock<SearchIndexRepository>('index', {
      bulk: (alias, operations) => index.bulk(alias, operations),
      get: async (_alias, id) => index.documents.get(id),
    });
    service = new IndexingService(
      config,
      repository,
      automock<ObjectStorageRepository>('storage', storage),
      new PublishedDocumentService(resolveContentTypes({})),
      automock<EventPublisher>('publisher', publisher),
    );
  });

  const indexedOf = (itemId: string) =>
    publisher.published.filter(
      (event) => event.topic === Topic.ItemIndexed && event.itemId === itemId,
    );

  it('publishes Markdown and `indexed` for a new item', async () => {
    const event = imaged(3);
    expect(await service.indexBatch([event])).toEqual([]);
    expect(storage.objects.get(`${event.itemId}.md`)?.contentType).toMatch(/^text\/markdown/);
    expect(indexedOf(event.itemId)).toEqual([
      { topic: Topic.ItemIndexed, itemId: event.itemId, revision: 3 },
    ]);
  });

  it('tells the editors, through `indexed`, which item publishes the same article, and nothing of it reaches the Markdown', async () => {
    const alone = imaged(3);
    const other = imaged(3, 'https://other-op.example');
    const same = createEvent(Topic.ItemImaged, {
      itemId: alone.itemId,
      revision: 4,
      data: { ...alone.data, sameArticleAs: other.itemId },
    });
    await service.indexBatch([alone]);
    const markdown = storage.objects.get(`${alone.itemId}.md`)?.body;
    await service.indexBatch([same]);
    expect(publisher.dataOf.get(`${Topic.ItemIndexed} ${alone.itemId}`)).toMatchObject({
      sameArticleAs: other.itemId,
    });
    expect(storage.objects.get(`${alone.itemId}.md`)?.body).toEqual(markdown);
  });

  it('redoes the Markdown of a replayed revision (its first run may have stopped halfway)', async () => {
    const event = imaged(3);
    index.versions.set(event.itemId, 3);
    expect(await service.indexBatch([event])).toEqual([]);
    expect(storage.objects.has(`${event.itemId}.md`)).toBe(true);
    expect(indexedOf(event.itemId)).toHaveLength(1);
  });

  it('ignores an older revision than the stored one', async () => {
    const event = imaged(3);
    index.versions.set(event.itemId, 4);
    expect(await service.indexBatch([event])).toEqual([]);
    expect(storage.objects.size).toBe(0);
    expect(indexedOf(event.itemId)).toHaveLength(0);
  });

  it('keeps only the newest revision of an item within one batch', async () => {
    const [older, newer] = [imaged(3), imaged(5)];
    expect(await service.indexBatch([newer, older])).toEqual([]);
    expect(index.versions.get(newer.itemId)).toBe(5);
    expect(indexedOf(newer.itemId).map((event) => event.revision)).toEqual([5]);
  });

  it('returns a rejected document as a failure with its reason and goes on with the others', async () => {
    const events = [1, 2, 3].map((n) => imaged(1, `https://op${n}.example`));
    index.rejected.set(events[1].itemId, {
      id: events[1].itemId,
      status: 400,
      error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [date]' },
    });
    const failures = await service.indexBatch(events);
    expect(index.bulkCalls).toBe(2);
    expect(failures).toEqual([
      {
        event: events[1],
        reason:
          'OpenSearch rejected the document (400): mapper_parsing_exception: failed to parse field [date]',
      },
    ]);
    expect(storage.objects.size).toBe(2);
    // The consumer dead-letters it and reports item.failed: not this service.
    expect(publisher.published.filter((event) => event.topic === Topic.ItemFailed)).toEqual([]);
  });

  it.each([429, 503])(
    'throws for the retry machinery when OpenSearch answers %i',
    async (status) => {
      const event = imaged(1);
      index.rejected.set(event.itemId, {
        id: event.itemId,
        status,
        error: { type: 'x', reason: 'busy' },
      });
      await expect(service.indexBatch([event])).rejects.toThrow(SearchIndexUnavailableError);
      expect(publisher.published).toEqual([]);
    },
  );

  it('removes the document, the Markdown, every rendition and the manifest, and ignores a removal older than the stored revision', async () => {
    const event = imaged(3);
    await service.indexBatch([event]);
    const imageKeys = [
      `${event.itemId}-featuredImage.jpeg`,
      `${event.itemId}-w480.webp`,
      `${event.itemId}-old-settings.avif`,
      `image-manifests/${event.itemId}.json`,
    ];
    const otherItem = `image-manifests/${randomUUID()}.json`;
    for (const key of [...imageKeys, otherItem])
      await storage.put({ key, body: 'x', contentType: 'image/jpeg' });
    const removal = (revision: number): EventOf<typeof Topic.ItemRemoved> =>
      createEvent(Topic.ItemRemoved, {
        itemId: event.itemId,
        revision,
        data: { reason: 'operator' },
      });

    expect(await service.removeBatch([removal(2)])).toEqual([]);
    expect(storage.objects.has(`${event.itemId}.md`)).toBe(true);
    expect(await service.removeBatch([removal(3)])).toEqual([]);
    expect(index.versions.has(event.itemId)).toBe(false);
    expect(storage.objects.has(`${event.itemId}.md`)).toBe(false);
    expect([...storage.objects.keys()]).toEqual([otherItem]);
  });

  describe('renditions-added', () => {
    function renditionsAdded(event: EventOf<typeof Topic.ItemImaged>) {
      const [main] = event.data.featuredImage.renditions;
      const webp = { ...main, key: main.key.replace('.jpeg', '.webp'), format: 'webp' as const };
      return createEvent(Topic.ItemRenditionsAdded, {
        itemId: event.itemId,
        revision: event.revision,
        data: { sourceSha256: 'a'.repeat(64), renditions: [webp] },
      });
    }
    const attempt = (n: number) => ({ topic: '', partition: 0, offset: '0', attempt: n });

    it('adds the renditions to the indexed document of its revision, under the same version', async () => {
      const event = imaged(3);
      await service.indexBatch([event]);
      const markdown = storage.objects.get(`${event.itemId}.md`);
      await service.addRenditions(renditionsAdded(event), attempt(1));
      expect(index.documents.get(event.itemId)?.renditions.map(({ format }) => format)).toEqual([
        'jpeg',
        'webp',
      ]);
      expect(index.versions.get(event.itemId)).toBe(3);
      expect(storage.objects.get(`${event.itemId}.md`)).toBe(markdown);
    });

    it('never overwrites a newer revision', async () => {
      const older = imaged(3);
      await service.indexBatch([imaged(4)]);
      const newer = index.documents.get(older.itemId);
      await service.addRenditions(renditionsAdded(older), attempt(1));
      expect(index.documents.get(older.itemId)).toBe(newer);
    });

    it('retries while its revision is not indexed, then leaves a removed item alone', async () => {
      const event = imaged(3);
      await expect(service.addRenditions(renditionsAdded(event), attempt(1))).rejects.toThrow(
        NotIndexedYetError,
      );
      await service.addRenditions(renditionsAdded(event), attempt(5));
      expect(index.documents.has(event.itemId)).toBe(false);
    });
  });
});
