import {
  baseFields,
  environmentFields,
  kafkaFields,
  openSearchFields,
  s3Fields,
} from '@curation/config';
import { z } from 'zod';
import { contentTypeOverridesSchema, readContentTypesFile } from './content-types.config';

const jsonObject = z
  .string()
  .default('{}')
  .transform((value, context) => {
    try {
      return JSON.parse(value) as unknown;
    } catch (error) {
      context.addIssue({ code: 'custom', message: `not JSON: ${(error as Error).message}` });
      return z.NEVER;
    }
  });

export const searchIndexingConfigSchema = z.object({
  ...baseFields,
  ...kafkaFields,
  ...openSearchFields,
  ...s3Fields,
  SEARCH_INDEXING_PORT: environmentFields.SEARCH_INDEXING_PORT,
  /** Searches and writes go through this alias; concrete indexes are `<alias>-v<n>`. */
  SEARCH_INDEX_ALIAS: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,200}$/, 'a lower-case OpenSearch index name')
    .default('curated-content'),
  SEARCH_INDEX_SHARDS: z.coerce.number().int().min(1).max(64).default(1),
  SEARCH_INDEX_REPLICAS: z.coerce.number().int().min(0).max(8).default(1),
  /** How long a delete's version is remembered, so an older upsert cannot resurrect the item. */
  SEARCH_DELETE_TOMBSTONE_RETENTION: z
    .string()
    .regex(/^\d+(ms|s|m|h|d)$/, 'an OpenSearch time value such as 24h')
    .default('24h'),
  /** Documents per bulk request; a consumed batch is split into requests sent in parallel. */
  SEARCH_BULK_MAX_DOCUMENTS: z.coerce.number().int().min(1).max(10000).default(100),
  SEARCH_BULK_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
  /** Markdown documents written to S3 at once. */
  SEARCH_DOCUMENT_WRITE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  /** Per content type, fields replacing the built-in constants, e.g. `{"curated-content":{"basePath":"/news/"}}`. */
  SEARCH_CONTENT_TYPE_OVERRIDES: jsonObject.pipe(contentTypeOverridesSchema),
  /**
   * Origins allowed to call the search API from a browser, comma-separated (`*` for any).
   * Unset: no CORS headers at all, in every environment.
   */
  SEARCH_CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .string()
          .regex(
            /^(\*|https?:\/\/[^/\s?#]+)$/,
            'a comma list of origins such as https://www.example.org (scheme and host, no path), or *',
          ),
      ),
    ),
  /**
   * Key that signs search cursors (at least 32 characters). Unset: a random key per process,
   * so cursors do not survive a restart or move between instances.
   */
  SEARCH_CURSOR_SECRET: z
    .string()
    .min(32, 'at least 32 characters')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** How long a relevance-ordered result set stays frozen for its cursor between two pages. */
  SEARCH_CURSOR_KEEP_ALIVE: z
    .string()
    .regex(/^\d+(s|m|h)$/, 'an OpenSearch time value such as 5m')
    .default('5m'),
  /**
   * JSON or YAML: content types and the topic rules choosing them (README, "Content types").
   * Unset: the built-in News type for every item.
   */
  CONTENT_TYPES_FILE: z
    .string()
    .min(1)
    .optional()
    .transform((path, context) => {
      if (path === undefined) return undefined;
      try {
        return readContentTypesFile(path);
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
});

export type SearchIndexingConfig = z.infer<typeof searchIndexingConfigSchema>;
