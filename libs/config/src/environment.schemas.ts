import { z } from 'zod';

const commaList = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  );

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .default('false')
  .transform((value) => ['true', '1', 'yes'].includes(value));

export const environmentFields = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KAFKA_BROKERS: commaList.refine((brokers) => brokers.length > 0, 'at least one host:port'),
  KAFKA_CLIENT_ID_PREFIX: z.string().min(1).default('curation'),
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(256).default(3),
  KAFKA_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
  KAFKA_RETRY_INITIAL_DELAY_MS: z.coerce.number().int().min(1).default(200),
  KAFKA_NEW_GROUP_START: z.enum(['earliest', 'latest']).default('earliest'),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }),
  OPENSEARCH_URL: z.url({ protocol: /^https?$/ }),
  S3_ENDPOINT: z.url({ protocol: /^https?$/ }),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name')
    .default('curation'),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1),
  S3_SECRET_ACCESS_KEY: z.string().min(1),
  INGESTION_PORT: port(3100),
  ENRICHMENT_PORT: port(3101),
  IMAGE_PROCESSING_PORT: port(3102),
  SEARCH_INDEXING_PORT: port(3103),
  FETCH_ALLOW_HOSTS: commaList,
  /** Lets FETCH_ALLOW_HOSTS be set with NODE_ENV=production, on purpose. */
  FETCH_ALLOW_HOSTS_IN_PRODUCTION: booleanFlag,
  /** Ports a fetched URL may name besides 80 and 443. */
  FETCH_ALLOWED_PORTS: commaList.pipe(
    z.array(
      z
        .string()
        .regex(/^\d+$/, 'a comma list of ports')
        .transform(Number)
        .pipe(z.number().int().min(1).max(65535)),
    ),
  ),
  OPENPROJECT_URL: z.url({ protocol: /^https?$/ }),
  OPENPROJECT_API_KEY: z.string().min(1),
  /** Empty counts as unset. */
  OPENPROJECT_WEBHOOK_SECRET: z
    .string()
    .optional()
    .transform((value) => (value ? value : undefined)),
  ADMIN_USER: z.string().min(1).default('admin'),
  ADMIN_PASSWORD: z.string().min(8, 'at least 8 characters').optional(),
  DEVELOPMENT_MODE: booleanFlag,
} as const;

export { booleanFlag, commaList, port };
