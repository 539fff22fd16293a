import { Inject, Injectable } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import type {
  Bulk_RequestBody,
  Search_Response,
} from '@opensearch-project/opensearch/api/index.js';
import {
  aliasTargets,
  ensureAliasedIndex,
  isAlreadyExists,
  OPENSEARCH_CLIENT,
  openSearchStatus,
} from '@curation/search';
import type { SearchDocument } from '../services/published-document.types';

const REINDEX_TIMEOUT_MS = 30 * 60 * 1000;

export type BulkOperation =
  | { kind: 'upsert'; id: string; version: number; document: SearchDocument }
  | { kind: 'delete'; id: string; version: number };

export interface BulkItemResult {
  id: string;
  status: number;
  result?: string;
  error?: { type: string; reason: string };
}

export interface SearchRequestBody {
  [key: string]: unknown;
}

export interface SearchHit {
  _id: string;
  _score: number | null;
  _source?: Partial<SearchDocument>;
  highlight?: Record<string, string[]>;
  /** The hit's sort values: what `search_after` takes to continue after it. */
  sort?: Array<string | number>;
}

export interface SearchResult {
  total: number;
  hits: SearchHit[];
  aggregations: Record<string, { buckets: Array<{ key: string; doc_count: number }> }>;
}

/** A point in time that expired or whose index is gone: OpenSearch answers 404 for it. */
export function isMissingPointInTime(error: unknown): boolean {
  return openSearchStatus(error) === 404;
}

/** All OpenSearch I/O of the service; decides nothing. */
@Injectable()
export class SearchIndexRepository {
  constructor(@Inject(OPENSEARCH_CLIENT) private readonly client: Client) {}

  async putIndexTemplate(name: string, template: object): Promise<void> {
    await this.client.indices.putIndexTemplate({ name, body: template as never });
  }

  async deleteIndexTemplate(name: string): Promise<void> {
    await this.client.indices.deleteIndexTemplate({ name }, { ignore: [404] });
  }

  /** Adds fields to the mappings of existing indexes; OpenSearch refuses a changed field. */
  async putMapping(index: string, mappings: object): Promise<void> {
    await this.client.indices.putMapping({ index, body: mappings as never });
  }

  /** Creates the index (with aliases, atomically); `false` when it already existed. */
  async createIndex(index: string, aliases: Record<string, object> = {}): Promise<boolean> {
    try {
      await this.client.indices.create({ index, body: { aliases } });
      return true;
    } catch (error) {
      if (isAlreadyExists(error)) return false;
      throw error;
    }
  }

  async deleteIndex(index: string): Promise<void> {
    await this.client.indices.delete({ index, ignore_unavailable: true });
  }

  /** The concrete indexes behind the alias (none when it does not exist). */
  aliasTargets(alias: string): Promise<string[]> {
    return aliasTargets(this.client, alias);
  }

  /** Creates `<alias>-v1` behind the alias unless it exists; the indexes already behind it. */
  ensureAliasedIndex(alias: string): Promise<string[]> {
    return ensureAliasedIndex(this.client, alias);
  }

  async listIndexes(pattern: string): Promise<string[]> {
    const response = await this.client.indices.get(
      { index: pattern, allow_no_indices: true, expand_wildcards: 'all' },
      { ignore: [404] },
    );
    if (response.statusCode === 404) return [];
    return Object.keys(response.body as object);
  }

  /** Moves the alias in one cluster-state update: readers never see it missing. */
  async pointAlias(alias: string, to: string, from: string[]): Promise<void> {
    await this.client.indices.updateAliases({
      body: {
        actions: [
          ...from.map((index) => ({ remove: { index, alias } })),
          { add: { index: to, alias, is_write_index: true } },
        ],
      },
    });
  }

  async bulk(index: string, operations: BulkOperation[]): Promise<BulkItemResult[]> {
    const body: Bulk_RequestBody = operations.flatMap((operation): Bulk_RequestBody =>
      operation.kind === 'upsert'
        ? [
            {
              index: {
                _index: index,
                _id: operation.id,
                version: operation.version,
                // Equal revisions overwrite: a redelivery writes the same content again, and a
                // re-link of offerings keeps the item's revision. Older revisions answer 409.
                version_type: 'external_gte' as const,
              },
            },
            operation.document,
          ]
        : [
            {
              delete: {
                _index: index,
                _id: operation.id,
                version: operation.version,
                version_type: 'external_gte' as const,
              },
            },
          ],
    );
    // require_alias: a write must never auto-create a concrete index named like the alias.
    const response = await this.client.bulk({ body, require_alias: true });
    return response.body.items.map((item, position) => {
      const outcome = item.index ?? item.delete ?? item.create ?? item.update;
      return {
        id: operations[position].id,
        status: outcome?.status ?? 500,
        result: outcome?.result,
        error: outcome?.error
          ? { type: outcome.error.type, reason: outcome.error.reason ?? outcome.error.type }
          : undefined,
      };
    });
  }

  /** The stored document as of now (a real-time get: no refresh needed), if there is one. */
  async get(index: string, id: string): Promise<SearchDocument | undefined> {
    const response = await this.client.get({ index, id }, { ignore: [404] });
    const body = response.body as { found?: boolean; _source?: SearchDocument };
    return body.found ? body._source : undefined;
  }

  async search(index: string, body: SearchRequestBody): Promise<SearchResult> {
    return this.resultOf(await this.client.search({ index, body: body as never }));
  }

  private resultOf(response: Search_Response): SearchResult {
    const total = response.body.hits.total;
    return {
      total: typeof total === 'number' ? total : (total?.value ?? 0),
      hits: response.body.hits.hits as unknown as SearchHit[],
      aggregations: (response.body.aggregations ?? {}) as SearchResult['aggregations'],
    };
  }

  /** Searches a point in time (which names its own indexes) and extends its life. */
  async searchPointInTime(
    pitId: string,
    keepAlive: string,
    body: SearchRequestBody,
  ): Promise<SearchResult> {
    return this.resultOf(
      await this.client.search({
        body: { ...body, pit: { id: pitId, keep_alive: keepAlive } } as never,
      }),
    );
  }

  /** Freezes what `index` holds now, for `keepAlive`: later writes do not change it. */
  async openPointInTime(index: string, keepAlive: string): Promise<string> {
    const response = await this.client.createPit({ index: [index], keep_alive: keepAlive });
    return response.body.pit_id;
  }

  async closePointInTime(pitId: string): Promise<void> {
    await this.client.deletePit({ body: { pit_id: [pitId] } }, { ignore: [404] });
  }

  /** Copies every document, keeping its external version: a newer one already in `dest` wins. */
  async copyDocuments(source: string, dest: string): Promise<number> {
    const response = await this.client.reindex(
      {
        wait_for_completion: true,
        refresh: true,
        body: {
          conflicts: 'proceed',
          source: { index: source },
          dest: { index: dest, version_type: 'external' },
        },
      },
      { requestTimeout: REINDEX_TIMEOUT_MS },
    );
    const body = response.body as { created?: number; updated?: number; failures?: unknown[] };
    if (body.failures && body.failures.length > 0) {
      throw new Error(`reindex ${source} → ${dest} failed: ${JSON.stringify(body.failures[0])}`);
    }
    return (body.created ?? 0) + (body.updated ?? 0);
  }

  async refresh(index: string): Promise<void> {
    await this.client.indices.refresh({ index });
  }

  async count(index: string): Promise<number> {
    const response = await this.client.count({ index });
    return response.body.count;
  }
}
