import {
  baseFields,
  environmentFields,
  fetchFields,
  kafkaFields,
  openSearchFields,
  redisFields,
  refuseFetchAllowHostsInProduction,
  s3Fields,
} from '@curation/config';
import { availableParallelism } from 'node:os';
import { z } from 'zod';

const positiveInt = (fallback: number) => z.coerce.number().int().min(1).default(fallback);
const indexName = (fallback: string) =>
  z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'a lower-case OpenSearch index name')
    .default(fallback);

export const enrichmentConfigSchema = z
  .object({
    ...baseFields,
    ...kafkaFields,
    ...redisFields,
    ...openSearchFields,
    /** Raw pages are kept in S3 (`raw-pages/<itemId>/r<revision>.html.gz`) for re-extraction. */
    ...s3Fields,
    ENRICHMENT_PORT: environmentFields.ENRICHMENT_PORT,
    ...fetchFields,
    /** BullMQ key prefix in Redis. */
    QUEUE_PREFIX: z.string().min(1).default('bull'),
    PAGE_FETCH_CONCURRENCY: positiveInt(4).pipe(z.number().max(64)),
    PAGE_FETCH_ATTEMPTS: positiveInt(5).pipe(z.number().max(20)),
    /** First retry delay; doubles with every attempt. */
    PAGE_FETCH_BACKOFF_MS: positiveInt(2000),
    /** A server's Retry-After is honoured up to this delay. */
    PAGE_FETCH_MAX_RETRY_AFTER_MS: positiveInt(10 * 60 * 1000),
    /** Politeness: at least this long between two fetches of the same host, across all workers. */
    PAGE_FETCH_HOST_INTERVAL_MS: z.coerce.number().int().min(0).default(1000),
    PAGE_FETCH_MAX_BYTES: positiveInt(5 * 1024 * 1024),
    PAGE_FETCH_CONNECT_TIMEOUT_MS: positiveInt(5000),
    PAGE_FETCH_TIMEOUT_MS: positiveInt(20000),
    PAGE_FETCH_MAX_REDIRECTS: z.coerce.number().int().min(0).max(20).default(5),
    PAGE_FETCH_USER_AGENT: z
      .string()
      .min(1)
      .default('Mozilla/5.0 (compatible; CurationPipeline/0.1; +https://medigy.com)'),
    /** bodyHtml is cut at a paragraph boundary so an enriched event stays well under Kafka's 1 MB. */
    BODY_MAX_BYTES: positiveInt(200 * 1024).pipe(z.number().max(700 * 1024)),
    /** Alias of the offerings catalogue index. */
    OFFERINGS_INDEX: indexName('offerings'),
    /** Alias of the item → categories index used to re-link items when the catalogue changes. */
    ITEM_LINKS_INDEX: indexName('enrichment-item-links'),
    /** Re-link jobs wait this long, so a burst of catalogue changes re-fetches an item once. */
    RELINK_DELAY_MS: z.coerce.number().int().min(0).default(5000),
    /** Hard deadline of one page's extraction; past it the worker thread is terminated. */
    EXTRACTION_TIMEOUT_MS: positiveInt(5000),
    /** Extraction threads; one core stays free for the event loop (Kafka, BullMQ, HTTP). */
    EXTRACTION_THREADS: positiveInt(Math.max(1, availableParallelism() - 1)).pipe(
      z.number().max(64),
    ),
    /** Pages with more elements skip Readability and publish their plain text. */
    EXTRACTION_MAX_ELEMENTS: positiveInt(10_000),
    /** Pages nested deeper skip Readability (its cost grows steeply with depth). */
    EXTRACTION_MAX_DEPTH: positiveInt(100),
    /** Heap of one extraction thread: a page that needs more ends over budget, not the service. */
    EXTRACTION_MAX_MEMORY_MB: positiveInt(256).pipe(z.number().min(32)),
  })
  .superRefine(refuseFetchAllowHostsInProduction);

export type EnrichmentConfig = z.infer<typeof enrichmentConfigSchema>;
