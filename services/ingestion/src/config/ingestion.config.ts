import { baseFields, environmentFields, kafkaFields, redisFields } from '@curation/config';
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
    INGESTION_API_TOKEN: optionalSecret,
    INGESTION_REDIS_KEY_PREFIX: z.string().min(1).default('curation:ingestion'),
    INGESTION_MAX_BODY_BYTES: positiveInt(5 * 1024 * 1024),
    /** BullMQ key prefix of the queues the dashboard shows: the same as the workers'. */
    QUEUE_PREFIX: z.string().min(1).default('bull'),
    ADMIN_USER: environmentFields.ADMIN_USER,
    /** Without it the queue dashboard is not served at all. */
    ADMIN_PASSWORD: environmentFields.ADMIN_PASSWORD,
  })
  .superRefine((config, context) => {
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
