import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '@curation/platform';
import { ensureAliasedIndex, OPENSEARCH_CLIENT } from '@curation/search';
import type { Client, Types } from '@opensearch-project/opensearch';
import type { EnrichmentConfig } from '../config/enrichment.config';
import type { PageFetchJob } from '../page-fetch.job';

const PAGE_SIZE = 500;

interface PendingRecord {
  job: PageFetchJob;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * A small index of enriched items → their categories (plus the job that enriched them), so a
 * catalogue change finds the items to re-link. Versioned by revision: a replay of an older
 * revision never overwrites a newer one.
 */
@Injectable()
export class ItemLinkRepository implements OnModuleInit {
  private readonly alias: string;
  private readonly pending: PendingRecord[] = [];
  private writing = false;

  constructor(
    @Inject(OPENSEARCH_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) config: EnrichmentConfig,
  ) {
    this.alias = config.ITEM_LINKS_INDEX;
  }

  async onModuleInit(): Promise<void> {
    await ensureAliasedIndex(this.client, this.alias, {
      mappings: {
        dynamic: 'strict',
        properties: {
          itemId: { type: 'keyword' },
          revision: { type: 'long' },
          categories: { type: 'keyword' },
          job: { type: 'object', enabled: false },
        },
      },
    });
  }

  /**
   * Resolves once the link is written (or a newer revision's is there). Records made while a
   * write is in flight go out together in the next bulk request: one request per item at low
   * load, fewer under load.
   */
  record(job: PageFetchJob): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ job, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        setImmediate(() => void this.writePending());
      }
    });
  }

  private async writePending(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      try {
        const response = await this.client.bulk({
          body: batch.flatMap(({ job }) => [
            {
              index: {
                _index: this.alias,
                _id: job.itemId,
                version: job.revision,
                version_type: 'external_gte',
              },
            },
            { itemId: job.itemId, revision: job.revision, categories: job.received.topics, job },
          ]),
        });
        const items = response.body.items as Array<
          Record<string, { status: number; error?: { type?: string; reason?: string } }>
        >;
        batch.forEach(({ resolve, reject }, position) => {
          const result = Object.values(items[position])[0];
          // 409: a newer revision is already recorded.
          if (!result.error || result.status === 409) resolve();
          else
            reject(
              new Error(
                `item link not written (${result.status}): ${result.error.type ?? 'error'}: ${result.error.reason ?? 'no reason given'}`,
              ),
            );
        });
      } catch (error) {
        for (const { reject } of batch) reject(error as Error);
      }
    }
    this.writing = false;
  }

  async remove(itemId: string): Promise<void> {
    await this.client.delete({ index: this.alias, id: itemId }, { ignore: [404] });
  }

  /** The job that last enriched the item, or undefined when it is not (or no longer) enriched. */
  async find(itemId: string): Promise<PageFetchJob | undefined> {
    const response = await this.client.get({ index: this.alias, id: itemId }, { ignore: [404] });
    return response.body.found ? (response.body._source as { job: PageFetchJob }).job : undefined;
  }

  /** Pages through every enriched item. */
  all(): AsyncGenerator<PageFetchJob[]> {
    return this.pages({ match_all: {} });
  }

  /** Pages through every item in any of `categories`. */
  async *findInCategories(categories: string[]): AsyncGenerator<PageFetchJob[]> {
    if (categories.length === 0) return;
    yield* this.pages({ bool: { filter: [{ terms: { categories } }] } });
  }

  private async *pages(query: object): AsyncGenerator<PageFetchJob[]> {
    await this.client.indices.refresh({ index: this.alias });
    let after: Types.Common.SortResults | undefined;
    for (;;) {
      const response = await this.client.search({
        index: this.alias,
        body: {
          size: PAGE_SIZE,
          // No source filtering: OpenSearch rebuilds a filtered source with its objects' keys
          // reordered, and the job's custom fields reach the document in their order.
          query,
          sort: [{ itemId: { order: 'asc' } }],
          ...(after ? { search_after: after } : {}),
        },
      });
      const hits = response.body.hits.hits;
      if (hits.length === 0) return;
      yield hits.map((hit) => (hit._source as { job: PageFetchJob }).job);
      if (hits.length < PAGE_SIZE) return;
      after = hits.at(-1)?.sort;
    }
  }
}
