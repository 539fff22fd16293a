import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '@curation/platform';
import type { Client, Types } from '@opensearch-project/opensearch';
import type { EnrichmentConfig } from '../config/enrichment.config';
import type { PageFetchJob } from '../page-fetch.job';
import { ensureAliasedIndex, statusOf } from './aliased-index';
import { OPENSEARCH_CLIENT } from './opensearch.tokens';

const PAGE_SIZE = 500;

/**
 * A small index of enriched items → their categories (plus the job that enriched them), so a
 * catalogue change finds the items to re-link. Versioned by revision: a replay of an older
 * revision never overwrites a newer one.
 */
@Injectable()
export class ItemLinkRepository implements OnModuleInit {
  private readonly alias: string;

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

  async record(job: PageFetchJob): Promise<void> {
    try {
      await this.client.index({
        index: this.alias,
        id: job.itemId,
        version: job.revision,
        version_type: 'external_gte',
        body: { itemId: job.itemId, revision: job.revision, categories: job.received.topics, job },
      });
    } catch (error) {
      // 409: a newer revision is already recorded.
      if (statusOf(error) !== 409) throw error;
    }
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
