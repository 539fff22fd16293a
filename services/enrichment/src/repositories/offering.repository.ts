import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { OfferingLink, OfferingUpsertedData } from '@curation/contracts';
import { APP_CONFIG } from '@curation/platform';
import type { Client } from '@opensearch-project/opensearch';
import type { EnrichmentConfig } from '../config/enrichment.config';
import { ensureAliasedIndex } from './aliased-index';
import { OPENSEARCH_CLIENT } from './opensearch.tokens';

export interface RelatedOfferingsQuery {
  categories: string[];
  text: string;
  limit: number;
}

export interface OfferingWriteFailure {
  offeringId: number;
  reason: string;
}

interface OfferingDocument extends OfferingLink {
  description: string;
}

/** The offerings catalogue in OpenSearch, fed by `offering.upserted` events. */
@Injectable()
export class OfferingRepository implements OnModuleInit {
  private readonly alias: string;

  constructor(
    @Inject(OPENSEARCH_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) config: EnrichmentConfig,
  ) {
    this.alias = config.OFFERINGS_INDEX;
  }

  async onModuleInit(): Promise<void> {
    await ensureAliasedIndex(this.client, this.alias, {
      mappings: {
        dynamic: 'strict',
        properties: {
          offeringId: { type: 'long' },
          label: { type: 'text', analyzer: 'english' },
          description: { type: 'text', analyzer: 'english' },
          permalink: { type: 'keyword', index: false },
          categories: { type: 'keyword' },
        },
      },
    });
  }

  /** Writes the batch and makes it searchable before returning; per-offering failures are returned. */
  async upsertMany(offerings: OfferingUpsertedData[]): Promise<OfferingWriteFailure[]> {
    if (offerings.length === 0) return [];
    const operations = offerings.flatMap((offering) => [
      { index: { _index: this.alias, _id: String(offering.offeringId) } },
      {
        offeringId: offering.offeringId,
        label: offering.label,
        description: offering.description,
        permalink: offering.permalink,
        categories: offering.categories,
      } satisfies OfferingDocument,
    ]);
    const response = await this.client.bulk({ body: operations, refresh: 'wait_for' });
    const items = response.body.items as Array<
      Record<string, { status: number; error?: { reason?: string } }>
    >;
    return items.flatMap((item, position) => {
      const result = Object.values(item)[0];
      return result.error
        ? [
            {
              offeringId: offerings[position].offeringId,
              reason: result.error.reason ?? `status ${result.status}`,
            },
          ]
        : [];
    });
  }

  /** The categories the offerings have now (before an update replaces them). */
  async categoriesOf(offeringIds: number[]): Promise<string[]> {
    if (offeringIds.length === 0) return [];
    const response = await this.client.mget({
      index: this.alias,
      body: { ids: offeringIds.map(String) },
      _source: ['categories'],
    });
    const docs = response.body.docs as Array<{
      found?: boolean;
      _source?: { categories?: string[] };
    }>;
    return docs.flatMap((doc) => (doc.found ? (doc._source?.categories ?? []) : []));
  }

  /** One query: offerings sharing a category, ranked by text relevance, ties broken by newest id. */
  async findRelated(query: RelatedOfferingsQuery): Promise<OfferingLink[]> {
    if (query.categories.length === 0) return [];
    const response = await this.client.search({
      index: this.alias,
      body: {
        size: query.limit,
        track_total_hits: false,
        _source: ['offeringId', 'label', 'permalink', 'categories'],
        query: {
          bool: {
            filter: [{ terms: { categories: query.categories } }],
            should: query.text.trim()
              ? [{ multi_match: { query: query.text, fields: ['label^2', 'description'] } }]
              : [],
          },
        },
        sort: [{ _score: { order: 'desc' } }, { offeringId: { order: 'desc' } }],
      },
    });
    return response.body.hits.hits.map((hit) => {
      const source = hit._source as OfferingLink;
      return {
        label: source.label,
        permalink: source.permalink,
        categories: source.categories,
        offeringId: source.offeringId,
      };
    });
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }
}
