import {
  baseFields,
  environmentFields,
  kafkaFields,
  openSearchFields,
  s3Fields,
} from '@curation/config';
import { z } from 'zod';
import { contentTypeOverridesSchema } from './content-types.config';

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
});

export type SearchIndexingConfig = z.infer<typeof searchIndexingConfigSchema>;
