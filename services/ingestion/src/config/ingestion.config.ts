import {
  baseFields,
  booleanFlag,
  environmentFields,
  kafkaFields,
  redisFields,
  refuseDevelopmentModeInProduction,
} from '@curation/config';
import { z } from 'zod';

const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    );

const customFieldId = z
  .string()
  .regex(/^(\d+|customField\d+)$/, 'a custom-field id such as 12 or customField12')
  .optional()
  .or(z.literal('').transform(() => undefined));

const optionalSecret = z
  .string()
  .optional()
  .transform((value) => (value ? value : undefined));

const optionalUrl = z
  .url({ protocol: /^https?$/ })
  .optional()
  .or(z.literal('').transform(() => undefined));

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const ingestionConfigSchema = z
  .object({
    ...baseFields,
    ...kafkaFields,
    ...redisFields,
    INGESTION_PORT: environmentFields.INGESTION_PORT,
    DEVELOPMENT_MODE: environmentFields.DEVELOPMENT_MODE,
    OPENPROJECT_URL: environmentFields.OPENPROJECT_URL,
    OPENPROJECT_API_KEY: environmentFields.OPENPROJECT_API_KEY,
    OPENPROJECT_WEBHOOK_SECRET: environmentFields.OPENPROJECT_WEBHOOK_SECRET,
    /** The work-package type that holds curated items, by id (titles are localisable). */
    OPENPROJECT_TYPE_ID: z.coerce.number().int().positive(),
    /** Status ids or names (case-insensitive) whose work packages are taken off the site. */
    OPENPROJECT_UNPUBLISHED_STATUSES: list('Rejected,Closed'),
    /**
     * Status ids or names (case-insensitive): when set, only work packages in one of these are
     * published (an allow-list replacing OPENPROJECT_UNPUBLISHED_STATUSES).
     */
    OPENPROJECT_PUBLISH_STATUSES: list(''),
    /** `comment`: each item's outcome is written back to its work package as a comment. */
    OPENPROJECT_WRITE_BACK: z.enum(['comment', 'off']).default('comment'),
    /** How long one comment keeps being retried while OpenProject is away. */
    OPENPROJECT_WRITE_BACK_BUDGET_SECONDS: positiveInt(3600),
    /** The published site: a `published` comment links `PUBLIC_SITE_URL` + the document's path. */
    PUBLIC_SITE_URL: optionalUrl,
    /** search-indexing as editors reach it: the link when PUBLIC_SITE_URL is unset. */
    SEARCH_PUBLIC_URL: optionalUrl,
    OPENPROJECT_CF_CLEAN_URL: customFieldId,
    OPENPROJECT_CF_SOURCE_URL: customFieldId,
    OPENPROJECT_CF_MEDIGY_TOPICS: customFieldId,
    /** Substrings (case-insensitive) that mark an attachment as the featured image, best first. */
    OPENPROJECT_FEATURED_IMAGE_NAMES: list('featured'),
    OPENPROJECT_REQUEST_TIMEOUT_MS: positiveInt(15000),
    OPENPROJECT_RETRY_BUDGET_SECONDS: z.coerce.number().int().nonnegative().default(600),
    OPENPROJECT_RETRY_INITIAL_DELAY_MS: positiveInt(500),
    OPENPROJECT_RETRY_MAX_DELAY_MS: positiveInt(30000),
    OPENPROJECT_SWEEP_INTERVAL_SECONDS: z.coerce.number().int().nonnegative().default(300),
    OPENPROJECT_SWEEP_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
    /** Bearer token of every `/v1/*` route; required with NODE_ENV=production. */
    INGESTION_API_TOKEN: optionalSecret,
    /** Serves `/v1/*` without a token in production, on purpose (e.g. behind a private gateway). */
    INGESTION_API_OPEN: booleanFlag,
    INGESTION_REDIS_KEY_PREFIX: z.string().min(1).default('curation:ingestion'),
    INGESTION_MAX_BODY_BYTES: positiveInt(5 * 1024 * 1024),
    /**
     * How long a webhook or submission waits for Kafka's acknowledgement before answering 503:
     * a stalled broker must not leave the caller timing out, unsure whether the item was taken.
     */
    INGESTION_PUBLISH_TIMEOUT_MS: positiveInt(5000),
    /** The curator's description is cut (at an element boundary) to this size, far below Kafka's 1 MB. */
    DESCRIPTION_MAX_BYTES: positiveInt(200 * 1024).pipe(z.number().max(700 * 1024)),
    /** BullMQ key prefix of the queues the dashboard shows: the same as the workers'. */
    QUEUE_PREFIX: z.string().min(1).default('bull'),
    ADMIN_USER: environmentFields.ADMIN_USER,
    /** Without it the queue dashboard is not served at all. */
    ADMIN_PASSWORD: environmentFields.ADMIN_PASSWORD,
  })
  .superRefine((config, context) => {
    refuseDevelopmentModeInProduction(config, context);
    if (
      config.NODE_ENV === 'production' &&
      !config.INGESTION_API_TOKEN &&
      !config.INGESTION_API_OPEN
    ) {
      context.addIssue({
        code: 'custom',
        path: ['INGESTION_API_TOKEN'],
        message:
          'required with NODE_ENV=production (set INGESTION_API_OPEN=true to serve /v1 without a token on purpose)',
      });
    }
    if (!config.OPENPROJECT_WEBHOOK_SECRET && !config.DEVELOPMENT_MODE) {
      context.addIssue({
        code: 'custom',
        path: ['OPENPROJECT_WEBHOOK_SECRET'],
        message: 'required (unsigned webhooks are accepted only with DEVELOPMENT_MODE=true)',
      });
    }
  });

export type IngestionConfig = z.infer<typeof ingestionConfigSchema>;

/** Custom-field ids given in configuration; the others are found by name in each schema. */
export function configuredCustomFields(config: IngestionConfig) {
  return {
    cleanUrl: config.OPENPROJECT_CF_CLEAN_URL,
    sourceUrl: config.OPENPROJECT_CF_SOURCE_URL,
    medigyTopics: config.OPENPROJECT_CF_MEDIGY_TOPICS,
  };
}
