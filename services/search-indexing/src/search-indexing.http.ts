import type { BootstrapOptions, OpenApiOptions } from '@curation/platform';
import type { SearchIndexingConfig } from './config/search-indexing.config';

export const SEARCH_INDEXING_OPENAPI: OpenApiOptions = {
  title: 'search-indexing',
  description:
    'Search, type-ahead and published documents of the curated content. Public: no token.',
  version: '1',
};

/** CORS for browsers on the listed origins only; none listed, no CORS headers at all. */
export function searchCorsOptions(origins: string[]): BootstrapOptions['cors'] {
  if (origins.length === 0) return undefined;
  return {
    origin: origins.includes('*') ? '*' : origins,
    methods: ['GET', 'HEAD'],
    // Browsers cache the preflight answer this long (seconds).
    maxAge: 600,
  };
}

/** What main.ts hands to `bootstrapService`, and what tests start the service with. */
export function searchIndexingHttpOptions(config: SearchIndexingConfig): BootstrapOptions {
  return { openApi: SEARCH_INDEXING_OPENAPI, cors: searchCorsOptions(config.SEARCH_CORS_ORIGINS) };
}
