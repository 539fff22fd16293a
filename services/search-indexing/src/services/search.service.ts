import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '@curation/platform';
import { ObjectStorageRepository } from '@curation/storage';
import { randomBytes } from 'node:crypto';
import sanitizeHtml from 'sanitize-html';
import type { SearchIndexingConfig } from '../config/search-indexing.config';
import type {
  SearchHitView,
  SearchResponse,
  SearchSort,
  Suggestion,
} from '../controllers/search-query.dto';
import { MIN_SUGGEST_LENGTH } from '../controllers/search-query.dto';
import {
  isMissingPointInTime,
  SearchIndexRepository,
  type SearchHit,
  type SearchRequestBody,
  type SearchResult,
} from '../repositories/search-index.repository';
import { documentKeyFor } from './published-document.service';
import { queryFingerprint, SearchCursorCodec, type CursorState } from './search-cursor';

export interface SearchQuery {
  q?: string;
  category?: string;
  brand?: string;
  /** ISO instants, inclusive. */
  since?: string;
  until?: string;
  sort?: SearchSort;
  from?: number;
  size: number;
  cursor?: string;
}

export type SearchOutcome =
  { kind: 'found'; response: SearchResponse } | { kind: 'bad-cursor'; reason: string };

const SEARCHED_FIELDS = ['title^3', 'description^2', 'body'];
const SUGGEST_FIELDS = ['title.suggest', 'title.suggest._2gram', 'title.suggest._3gram'];
const SUGGESTIONS = 10;
const HIGHLIGHT_TAG = 'mark';
const FACET_SIZE = 50;

/** Highlights come from the stored HTML: keep the marks, turn everything else into text. */
function safeFragment(fragment: string): string {
  return sanitizeHtml(fragment, { allowedTags: [HIGHLIGHT_TAG], allowedAttributes: {} });
}

/** Relevance needs words to rank by; without `q` every order is by date. */
export function effectiveSort(query: Pick<SearchQuery, 'q' | 'sort'>): SearchSort {
  return query.q?.trim() && query.sort !== 'date' ? 'relevance' : 'date';
}

/** What a cursor is bound to: the hits and their order, never the page size. */
export function fingerprintOf(query: SearchQuery): string {
  return queryFingerprint({
    q: query.q?.trim() || undefined,
    category: query.category,
    brand: query.brand,
    since: query.since,
    until: query.until,
    sort: effectiveSort(query),
  });
}

/**
 * The search API: user text goes only into `simple_query_string`, never as query DSL. Cursor
 * pages continue with `search_after` on the last hit's sort values, with the item id as the
 * tiebreaker; relevance pages read from a point in time, so scores cannot shift under the
 * cursor while documents are written.
 */
@Injectable()
export class SearchService {
  private readonly logger = new Logger(SearchService.name);
  private readonly cursors: SearchCursorCodec;

  constructor(
    @Inject(APP_CONFIG) private readonly config: SearchIndexingConfig,
    private readonly index: SearchIndexRepository,
    private readonly storage: ObjectStorageRepository,
  ) {
    this.cursors = new SearchCursorCodec(
      config.SEARCH_CURSOR_SECRET ? Buffer.from(config.SEARCH_CURSOR_SECRET) : randomBytes(32),
    );
    if (!config.SEARCH_CURSOR_SECRET) {
      this.logger.warn(
        'SEARCH_CURSOR_SECRET is not set: cursors are signed with a random key of this process and stop working after a restart or on another instance',
      );
    }
  }

  async search(query: SearchQuery): Promise<SearchOutcome> {
    const fingerprint = fingerprintOf(query);
    let cursor: CursorState | undefined;
    if (query.cursor !== undefined) {
      const decoded = this.cursors.decode(query.cursor, fingerprint);
      if (decoded.kind === 'invalid') return { kind: 'bad-cursor', reason: decoded.reason };
      cursor = decoded.state;
    }
    const body = searchBody(query, cursor?.after);
    let { result, pit } = cursor?.pit
      ? await this.searchPit(cursor.pit, body)
      : { result: await this.index.search(this.config.SEARCH_INDEX_ALIAS, body), pit: undefined };
    if (!cursor && effectiveSort(query) === 'relevance' && result.hits.length > query.size) {
      // More pages to come: freeze the result set now and serve the first page from it too.
      const opened = await this.openPit();
      if (opened) ({ result, pit } = await this.searchPit(opened, body));
    }
    const hits = result.hits.slice(0, query.size);
    const last = hits.at(-1);
    const more = result.hits.length > query.size && last?.sort !== undefined;
    if (!more && pit) await this.closePit(pit);
    return {
      kind: 'found',
      response: {
        total: result.total,
        from: query.from ?? 0,
        size: query.size,
        hits: hits.map(toView),
        facets: {
          categories: bucketsOf(result, 'categories'),
          brands: bucketsOf(result, 'brands'),
        },
        nextCursor: more
          ? this.cursors.encode({ query: fingerprint, after: last.sort!, pit })
          : null,
      },
    };
  }

  /** Titles starting with the words typed so far (the last one may be partial). */
  async suggest(q: string | undefined): Promise<Suggestion[]> {
    const text = q?.trim() ?? '';
    if (text.length < MIN_SUGGEST_LENGTH) return [];
    const result = await this.index.search(this.config.SEARCH_INDEX_ALIAS, suggestBody(text));
    return result.hits.flatMap((hit) =>
      hit._source?.title
        ? [{ itemId: hit._id, title: hit._source.title, slug: hit._source.slug }]
        : [],
    );
  }

  /** The published Markdown document, or undefined when the item has none. */
  async document(itemId: string): Promise<string | undefined> {
    return (await this.storage.get(documentKeyFor(itemId)))?.toString('utf8');
  }

  /** Reads a point in time; one that expired continues from the live index instead of failing. */
  private async searchPit(
    pit: string,
    body: SearchRequestBody,
  ): Promise<{ result: SearchResult; pit: string | undefined }> {
    try {
      const keepAlive = this.config.SEARCH_CURSOR_KEEP_ALIVE;
      return { result: await this.index.searchPointInTime(pit, keepAlive, body), pit };
    } catch (error) {
      if (!isMissingPointInTime(error)) throw error;
      return {
        result: await this.index.search(this.config.SEARCH_INDEX_ALIAS, body),
        pit: undefined,
      };
    }
  }

  /** No point in time (too many open, node busy) only costs stability across pages. */
  private async openPit(): Promise<string | undefined> {
    try {
      return await this.index.openPointInTime(
        this.config.SEARCH_INDEX_ALIAS,
        this.config.SEARCH_CURSOR_KEEP_ALIVE,
      );
    } catch (error) {
      this.logger.warn(`no point in time for a relevance search: ${(error as Error).message}`);
      return undefined;
    }
  }

  private async closePit(pit: string): Promise<void> {
    try {
      await this.index.closePointInTime(pit);
    } catch (error) {
      // It expires on its own after SEARCH_CURSOR_KEEP_ALIVE.
      this.logger.warn(`closing a point in time failed: ${(error as Error).message}`);
    }
  }
}

export function searchBody(
  query: SearchQuery,
  searchAfter?: Array<string | number>,
): SearchRequestBody {
  const text = query.q?.trim();
  const must = text
    ? [
        {
          simple_query_string: {
            query: text,
            fields: SEARCHED_FIELDS,
            default_operator: 'and',
            // Phrases, prefixes and +/- only: no fuzzy or regex clauses a user could make expensive.
            flags: 'AND|OR|NOT|PHRASE|PREFIX|PRECEDENCE|WHITESPACE|ESCAPE',
          },
        },
      ]
    : [{ match_all: {} }];
  const filter: object[] = [];
  if (query.category) filter.push({ term: { categories: query.category } });
  if (query.brand) filter.push({ term: { brand: query.brand } });
  if (query.since || query.until) {
    filter.push({ range: { sortDate: { gte: query.since, lte: query.until } } });
  }
  // The item id breaks ties: equal dates and scores still page in one fixed order.
  const byDate = [{ sortDate: { order: 'desc', unmapped_type: 'date' } }, { itemId: 'asc' }];
  return {
    // One more than asked for says whether a next page exists.
    size: query.size + 1,
    ...(searchAfter ? { search_after: searchAfter } : { from: query.from ?? 0 }),
    track_total_hits: true,
    _source: { excludes: ['body', 'frontMatter'] },
    query: { bool: { must, filter } },
    sort: effectiveSort(query) === 'relevance' ? [{ _score: 'desc' }, ...byDate] : byDate,
    highlight: {
      pre_tags: [`<${HIGHLIGHT_TAG}>`],
      post_tags: [`</${HIGHLIGHT_TAG}>`],
      fields: {
        title: { number_of_fragments: 0 },
        description: { number_of_fragments: 0 },
        body: { fragment_size: 160, number_of_fragments: 3 },
      },
    },
    aggs: {
      categories: { terms: { field: 'categories', size: FACET_SIZE } },
      brands: { terms: { field: 'brand', size: FACET_SIZE } },
    },
  };
}

export function suggestBody(text: string): SearchRequestBody {
  return {
    size: SUGGESTIONS,
    _source: ['title', 'slug'],
    query: {
      multi_match: { query: text, type: 'bool_prefix', fields: SUGGEST_FIELDS, operator: 'and' },
    },
  };
}

function bucketsOf(result: SearchResult, name: string) {
  return (result.aggregations[name]?.buckets ?? []).map((bucket) => ({
    value: bucket.key,
    count: bucket.doc_count,
  }));
}

function toView(hit: SearchHit): SearchHitView {
  const source = hit._source ?? {};
  return {
    itemId: hit._id,
    score: hit._score,
    title: source.title,
    description: source.description,
    url: source.url,
    slug: source.slug,
    categories: source.categories,
    brand: source.brand,
    date: source.date,
    sortDate: source.sortDate,
    documentKey: source.documentKey,
    imageKey: source.imageKey,
    highlights: Object.fromEntries(
      Object.entries(hit.highlight ?? {}).map(([field, fragments]) => [
        field,
        fragments.map((fragment) => safeFragment(fragment).trim()),
      ]),
    ),
  };
}
