import { Inject, Injectable, Logger } from '@nestjs/common';
import { Topic, type EventOf } from '@curation/contracts';
import {
  EventPublisher,
  OnEvent,
  OnEventBatch,
  type BatchFailure,
  type MessageContext,
} from '@curation/kafka';
import {
  APP_CONFIG,
  IO_SECONDS_BUCKETS,
  pipelineCounter,
  pipelineHistogram,
} from '@curation/platform';
import { ObjectStorageRepository, itemObjectPrefixes } from '@curation/storage';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import pLimit from 'p-limit';
import type { SearchIndexingConfig } from '../config/search-indexing.config';
import {
  SearchIndexRepository,
  type BulkItemResult,
  type BulkOperation,
} from '../repositories/search-index.repository';
import { documentKeyFor, PublishedDocumentService } from './published-document.service';
import { renditionsUpdate } from './renditions-update';
import type { PublishedDocument, SearchDocument } from './published-document.types';

type ImagedEvent = EventOf<typeof Topic.ItemImaged>;
type RemovedEvent = EventOf<typeof Topic.ItemRemoved>;
type RenditionsAddedEvent = EventOf<typeof Topic.ItemRenditionsAdded>;

/** The revision's document is not in the index yet: the consumer retries with backoff. */
export class NotIndexedYetError extends Error {
  override readonly name = 'NotIndexedYetError';
}

interface Prepared {
  event: ImagedEvent;
  document: PublishedDocument;
  markdown: string;
}

/** OpenSearch is overloaded or unreachable: the whole batch is retried (writes are idempotent). */
export class SearchIndexUnavailableError extends Error {
  constructor(reason: string) {
    super(`OpenSearch cannot take the batch now: ${reason}`);
    this.name = 'SearchIndexUnavailableError';
  }
}

export const MARKDOWN_CONTENT_TYPE = 'text/markdown; charset=utf-8';
/** Keeps one bulk request well under OpenSearch's default 100 MB body limit. */
const MAX_BULK_BYTES = 20 * 1024 * 1024;
const RENDER_SLICE = 50;

const documents = pipelineCounter({
  name: 'curation_search_documents_total',
  help: 'Documents handled by search-indexing, by operation and outcome.',
  labelNames: ['operation', 'outcome'] as const,
});

/** Writes OpenSearch acknowledged, redeliveries included: write counts per item stay in the tests. */
const indexWrites = pipelineCounter({
  name: 'curation_index_writes_total',
  help: 'Search document writes OpenSearch acknowledged, by result (created or updated).',
  labelNames: ['result'] as const,
});

const markdownWrites = pipelineCounter({
  name: 'curation_markdown_writes_total',
  help: 'Markdown documents written to S3, rewrites included.',
});

const removedObjects = pipelineCounter({
  name: 'curation_removed_objects_total',
  help: 'Objects of removed items deleted from S3 (Markdown, renditions, image manifests).',
});

const bulkSeconds = pipelineHistogram({
  name: 'curation_index_bulk_duration_seconds',
  help: 'Time of one OpenSearch bulk request (index or delete), by outcome (ok, error)',
  labelNames: ['outcome'] as const,
  buckets: IO_SECONDS_BUCKETS,
});

function isRetryable(status: number): boolean {
  return status === 429 || status >= 500;
}

function describe(result: BulkItemResult): string {
  return `OpenSearch rejected the document (${result.status}): ${result.error?.type ?? 'error'}: ${result.error?.reason ?? 'no reason given'}`;
}

/** What the write-back comment tells the work package's editors about the published item. */
function editorNotesOf(event: ImagedEvent, document: PublishedDocument) {
  const { data } = event;
  const attachmentUnused = data.featuredImage.attachmentUnused;
  return {
    path: document.search.frontMatter.aliases,
    url: data.url,
    ...(data.workPackage ? { workPackageId: data.workPackage.id } : {}),
    ...(data.page.canonicalUrl ? { canonicalUrl: data.page.canonicalUrl } : {}),
    ...(data.sameArticleAs ? { sameArticleAs: data.sameArticleAs } : {}),
    ...(attachmentUnused ? { attachmentUnused } : {}),
  };
}

/** The newest event per item: older ones in the same batch are superseded. */
function newestPerItem<E extends { itemId: string; revision: number }>(events: E[]): E[] {
  const newest = new Map<string, E>();
  for (const event of events) {
    const seen = newest.get(event.itemId);
    if (!seen || event.revision >= seen.revision) newest.set(event.itemId, event);
  }
  return [...newest.values()];
}

/**
 * Publishes finished items: the search document (external version = revision, so an older
 * event is a no-op and a replay writes the same content again), then the Markdown, then `indexed`.
 */
@Injectable()
export class IndexingService {
  private readonly logger = new Logger(IndexingService.name);
  private readonly writeLimit: ReturnType<typeof pLimit>;
  private readonly bulkLimit: ReturnType<typeof pLimit>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: SearchIndexingConfig,
    private readonly index: SearchIndexRepository,
    private readonly storage: ObjectStorageRepository,
    private readonly documents: PublishedDocumentService,
    private readonly publisher: EventPublisher,
  ) {
    this.writeLimit = pLimit(config.SEARCH_DOCUMENT_WRITE_CONCURRENCY);
    this.bulkLimit = pLimit(config.SEARCH_BULK_CONCURRENCY);
  }

  private get alias(): string {
    return this.config.SEARCH_INDEX_ALIAS;
  }

  @OnEventBatch(Topic.ItemImaged)
  async indexBatch(events: ImagedEvent[]): Promise<BatchFailure<typeof Topic.ItemImaged>[]> {
    const failures: BatchFailure<typeof Topic.ItemImaged>[] = [];
    const built: Array<{ event: ImagedEvent; document: PublishedDocument }> = [];
    for (const event of newestPerItem(events)) {
      try {
        const item = { itemId: event.itemId, revision: event.revision, data: event.data };
        built.push({ event, document: this.documents.build(item) });
      } catch (error) {
        failures.push({ event, reason: `cannot build the document: ${(error as Error).message}` });
      }
    }
    // The Markdown is rendered while OpenSearch works on the bulk request: both CPUs busy at once.
    const [results, markdown] = await Promise.all([
      this.upsert(built.map(({ document }) => document.search)),
      this.renderAll(built.map(({ document }) => document)),
    ]);

    const publish: Prepared[] = [];
    built.forEach(({ event, document }, position) => {
      const result = results[position];
      if (result.status === 200 || result.status === 201) {
        indexWrites.inc({ result: result.result ?? String(result.status) });
        publish.push({ event, document, markdown: markdown[position] });
      } else if (result.status !== 409) {
        // 409: a newer revision is already indexed, so this older event changes nothing.
        failures.push({ event, reason: describe(result) });
      }
    });

    await Promise.all(
      publish.map(({ event, document, markdown: body }) =>
        this.writeLimit(async () => {
          // The same revision enriched again (relink, reextract) mostly renders the same
          // Markdown: then nothing is written. First publications skip the read.
          const again = (event.data.trigger ?? 'received') !== 'received';
          if (again && (await this.storage.get(document.documentKey))?.equals(Buffer.from(body)))
            return;
          await this.storage.put({
            key: document.documentKey,
            body,
            contentType: MARKDOWN_CONTENT_TYPE,
            metadata: { 'item-id': document.itemId, revision: String(document.revision) },
          });
          markdownWrites.inc();
        }),
      ),
    );
    await this.publisher.publishMany(
      Topic.ItemIndexed,
      publish.map(({ event, document }) => ({
        itemId: event.itemId,
        revision: event.revision,
        traceparent: event.traceparent,
        data: {
          index: this.alias,
          documentKey: document.documentKey,
          bucket: this.storage.bucket,
          ...editorNotesOf(event, document),
        },
      })),
    );
    this.logFailures(failures);

    documents.inc({ operation: 'index', outcome: 'published' }, publish.length);
    documents.inc(
      { operation: 'index', outcome: 'stale' },
      events.length - publish.length - failures.length,
    );
    documents.inc({ operation: 'index', outcome: 'failed' }, failures.length);
    return failures;
  }

  @OnEventBatch(Topic.ItemRemoved)
  async removeBatch(events: RemovedEvent[]): Promise<BatchFailure<typeof Topic.ItemRemoved>[]> {
    const latest = newestPerItem(events);
    const results = await this.bulk(
      latest.map((event) => ({ kind: 'delete', id: event.itemId, version: event.revision })),
    );
    const failures: BatchFailure<typeof Topic.ItemRemoved>[] = [];
    const removed: RemovedEvent[] = [];
    latest.forEach((event, position) => {
      const result = results[position];
      // 404: never indexed, but the delete's version is now remembered all the same.
      if (result.status === 200 || result.status === 404) removed.push(event);
      else if (result.status !== 409) failures.push({ event, reason: describe(result) });
    });
    await Promise.all(
      removed.map((event) => this.writeLimit(() => this.deleteObjectsOf(event.itemId))),
    );
    this.logFailures(failures);
    documents.inc({ operation: 'remove', outcome: 'removed' }, removed.length);
    documents.inc({ operation: 'remove', outcome: 'failed' }, failures.length);
    return failures;
  }

  /**
   * Adds the slow renditions (WebP, AVIF) to the document of their revision: a partial update
   * under the index's revision check (see `renditionsUpdate`). The Markdown is not written: its
   * front matter names only the main rendition, so it is already final.
   */
  @OnEvent(Topic.ItemRenditionsAdded)
  async addRenditions(event: RenditionsAddedEvent, context: MessageContext): Promise<void> {
    const indexed = await this.index.get(this.alias, event.itemId);
    const update = renditionsUpdate(indexed, {
      revision: event.revision,
      renditions: event.data.renditions,
    });
    if (update.kind === 'not-indexed' && context.attempt < this.config.KAFKA_MAX_ATTEMPTS) {
      throw new NotIndexedYetError(`${event.itemId} r${event.revision} is not indexed yet`);
    }
    if (update.kind !== 'apply') {
      // Removed or failed (attempts spent): the renditions stay stored, nothing shows them.
      documents.inc({ operation: 'renditions', outcome: update.kind });
      return;
    }
    const [result] = await this.upsert([update.document]);
    if (result.status === 200 || result.status === 201) {
      indexWrites.inc({ result: result.result ?? String(result.status) });
      documents.inc({ operation: 'renditions', outcome: 'added' });
    } else if (result.status === 409) {
      // A newer revision was indexed between the read and the write: it wins.
      documents.inc({ operation: 'renditions', outcome: 'stale' });
    } else {
      throw new Error(describe(result));
    }
  }

  /**
   * Every object of a removed item: the Markdown, every rendition (those of earlier rendition
   * settings too) and the image manifest, found by listing the item's prefixes.
   */
  private async deleteObjectsOf(itemId: string): Promise<void> {
    const keys = (
      await Promise.all(itemObjectPrefixes(itemId).map((prefix) => this.storage.listKeys(prefix)))
    ).flat();
    await this.storage.deleteMany([...new Set([documentKeyFor(itemId), ...keys])]);
    removedObjects.inc(keys.length);
  }

  /**
   * The OpenSearch half of publishing: versioned upserts (version = revision), one per item;
   * 429 and 5xx answers throw so the batch is retried, other answers come back per item.
   */
  upsert(documents: SearchDocument[]): Promise<BulkItemResult[]> {
    return this.bulk(
      documents.map((document) => ({
        kind: 'upsert',
        id: document.itemId,
        version: document.revision,
        document,
      })),
    );
  }

  /** Renders in slices, yielding so the bulk request goes out before the CPU work starts. */
  private async renderAll(documents: PublishedDocument[]): Promise<string[]> {
    const markdown: string[] = [];
    for (const document of documents) {
      if (markdown.length % RENDER_SLICE === 0) await yieldToEventLoop();
      markdown.push(this.documents.markdown(document));
    }
    return markdown;
  }

  /** Chunks go out in parallel: OpenSearch indexes concurrent requests on all its write threads. */
  private async bulk(operations: BulkOperation[]): Promise<BulkItemResult[]> {
    const results = await Promise.all(
      [...this.chunks(operations)].map((chunk) =>
        this.bulkLimit(async () => {
          const timer = bulkSeconds.startTimer();
          try {
            const answered = await this.index.bulk(this.alias, chunk);
            timer({ outcome: 'ok' });
            return answered;
          } catch (error) {
            timer({ outcome: 'error' });
            throw error;
          }
        }),
      ),
    );
    const flat = results.flat();
    const retryable = flat.find((result) => isRetryable(result.status));
    if (retryable) throw new SearchIndexUnavailableError(describe(retryable));
    return flat;
  }

  private *chunks(operations: BulkOperation[]): Generator<BulkOperation[]> {
    let chunk: BulkOperation[] = [];
    let bytes = 0;
    for (const operation of operations) {
      const size = operation.kind === 'upsert' ? operation.document.body.length * 2 : 0;
      if (
        chunk.length > 0 &&
        (chunk.length >= this.config.SEARCH_BULK_MAX_DOCUMENTS || bytes + size > MAX_BULK_BYTES)
      ) {
        yield chunk;
        chunk = [];
        bytes = 0;
      }
      chunk.push(operation);
      bytes += size;
    }
    if (chunk.length > 0) yield chunk;
  }

  /** Returned to the consumer, which dead-letters each event and reports the item failed. */
  private logFailures(failures: Array<BatchFailure<Topic>>): void {
    for (const failure of failures) {
      this.logger.warn(`item ${failure.event.itemId} not indexed: ${failure.reason}`);
    }
  }
}
