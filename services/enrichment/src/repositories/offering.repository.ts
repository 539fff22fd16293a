import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { OfferingLink, OfferingUpsertedData } from '@curation/contracts';
import { APP_CONFIG } from '@curation/platform';
import { ensureAliasedIndex, OPENSEARCH_CLIENT } from '@curation/search';
import type { Client } from '@opensearch-project/opensearch';
import type { EnrichmentConfig } from '../config/enrichment.config';

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

/**
 * How long another instance may answer from its cache after a catalogue change it did not
 * consume (the instance that wrote the change drops its cache at once).
 */
const RELATED_CACHE_TTL_MS = 2000;
const RELATED_CACHE_MAX_ENTRIES = 1000;

/** The offerings catalogue in OpenSearch, fed by `offering.upserted` events. */
@Injectable()
export class OfferingRepository implements OnModuleInit {
  private readonly alias: string;
  /**
   * Answers that cannot depend on the item's text, by category set: at most one offering
   * shares the categories, so there is nothing to rank. Most category sets of a young
   * catalogue have none, and then every item of them needs no query.
   */
  private readonly textIndependent = new Map<
    string,
    { offerings: OfferingLink[]; until: number }
  >();

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
    this.textIndependent.clear();
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
    const key = `${query.limit}\n${[...new Set(query.categories)].sort().join('\n')}`;
    const cached = this.textIndependent.get(key);
    if (cached && cached.until > Date.now()) return [...cached.offerings];
    const response = await this.client.search({
      index: this.alias,
      body: {
        size: query.limit,
        // Counted up to 2: enough to know whether the ranking can depend on the text.
        track_total_hits: 2,
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
    const offerings = response.body.hits.hits.map((hit) => {
      const source = hit._source as OfferingLink;
      return {
        label: source.label,
        permalink: source.permalink,
        categories: source.categories,
        offeringId: source.offeringId,
      };
    });
    const total = response.body.hits.total;
    if (typeof total === 'object' && total.relation === 'eq' && total.value <= 1) {
      if (this.textIndependent.size >= RELATED_CACHE_MAX_ENTRIES) this.textIndependent.clear();
      this.textIndependent.set(key, {
        offerings: [...offerings],
        until: Date.now() + RELATED_CACHE_TTL_MS,
      });
    }
    return offerings;
  }
}
