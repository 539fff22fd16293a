import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@curation/platform';
import { ObjectStorageRepository } from '@curation/storage';
import sanitizeHtml from 'sanitize-html';
import type { SearchIndexingConfig } from '../config/search-indexing.config';
import {
  SearchIndexRepository,
  type SearchHit,
  type SearchRequestBody,
} from '../repositories/search-index.repository';
import { documentKeyFor } from './published-document.service';

export interface SearchQuery {
  q?: string;
  category?: string;
  from: number;
  size: number;
}

export interface SearchHitView {
  itemId: string;
  score: number | null;
  title?: string;
  description?: string;
  url?: string;
  slug?: string;
  categories?: string[];
  brand?: string;
  date?: string;
  documentKey?: string;
  imageKey?: string | null;
  highlights: Record<string, string[]>;
}

export interface SearchResponse {
  total: number;
  from: number;
  size: number;
  hits: SearchHitView[];
  facets: { categories: Array<{ value: string; count: number }> };
}

const SEARCHED_FIELDS = ['title^3', 'description^2', 'body'];
const HIGHLIGHT_TAG = 'mark';
const CATEGORY_FACET_SIZE = 50;

/** Highlights come from the stored HTML: keep the marks, turn everything else into text. */
function safeFragment(fragment: string): string {
  return sanitizeHtml(fragment, { allowedTags: [HIGHLIGHT_TAG], allowedAttributes: {} });
}

/** The search API: user text goes only into `simple_query_string`, never as query DSL. */
@Injectable()
export class SearchService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: SearchIndexingConfig,
    private readonly index: SearchIndexRepository,
    private readonly storage: ObjectStorageRepository,
  ) {}

  async search(query: SearchQuery): Promise<SearchResponse> {
    const result = await this.index.search(this.config.SEARCH_INDEX_ALIAS, searchBody(query));
    return {
      total: result.total,
      from: query.from,
      size: query.size,
      hits: result.hits.map(toView),
      facets: {
        categories: (result.aggregations.categories?.buckets ?? []).map((bucket) => ({
          value: bucket.key,
          count: bucket.doc_count,
        })),
      },
    };
  }

  /** The published Markdown document, or undefined when the item has none. */
  async document(itemId: string): Promise<string | undefined> {
    return (await this.storage.get(documentKeyFor(itemId)))?.toString('utf8');
  }
}

export function searchBody(query: SearchQuery): SearchRequestBody {
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
  return {
    from: query.from,
    size: query.size,
    track_total_hits: true,
    _source: { excludes: ['body', 'frontMatter'] },
    query: {
      bool: {
        must,
        filter: query.category ? [{ term: { categories: query.category } }] : [],
      },
    },
    sort: text ? ['_score', { lastMod: 'desc' }] : [{ lastMod: 'desc' }, { itemId: 'asc' }],
    highlight: {
      pre_tags: [`<${HIGHLIGHT_TAG}>`],
      post_tags: [`</${HIGHLIGHT_TAG}>`],
      fields: {
        title: { number_of_fragments: 0 },
        description: { number_of_fragments: 0 },
        body: { fragment_size: 160, number_of_fragments: 3 },
      },
    },
    aggs: { categories: { terms: { field: 'categories', size: CATEGORY_FACET_SIZE } } },
  };
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
