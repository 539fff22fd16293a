import { environmentFields as f } from './environment.schemas';

/** Groups of variables, so each service picks the ones it uses. */
export const baseFields = { NODE_ENV: f.NODE_ENV, LOG_LEVEL: f.LOG_LEVEL } as const;

export const kafkaFields = {
  KAFKA_BROKERS: f.KAFKA_BROKERS,
  KAFKA_CLIENT_ID_PREFIX: f.KAFKA_CLIENT_ID_PREFIX,
  KAFKA_TOPIC_PARTITIONS: f.KAFKA_TOPIC_PARTITIONS,
  KAFKA_MAX_ATTEMPTS: f.KAFKA_MAX_ATTEMPTS,
  KAFKA_RETRY_INITIAL_DELAY_MS: f.KAFKA_RETRY_INITIAL_DELAY_MS,
  KAFKA_NEW_GROUP_START: f.KAFKA_NEW_GROUP_START,
} as const;

/** SSRF policy of page and image fetches; pair with `refuseFetchAllowHostsInProduction`. */
export const fetchFields = {
  FETCH_ALLOW_HOSTS: f.FETCH_ALLOW_HOSTS,
  FETCH_ALLOW_HOSTS_IN_PRODUCTION: f.FETCH_ALLOW_HOSTS_IN_PRODUCTION,
  FETCH_ALLOWED_PORTS: f.FETCH_ALLOWED_PORTS,
} as const;

export const redisFields = { REDIS_URL: f.REDIS_URL } as const;

export const openSearchFields = { OPENSEARCH_URL: f.OPENSEARCH_URL } as const;

export const s3Fields = {
  S3_ENDPOINT: f.S3_ENDPOINT,
  S3_BUCKET: f.S3_BUCKET,
  S3_REGION: f.S3_REGION,
  S3_ACCESS_KEY_ID: f.S3_ACCESS_KEY_ID,
  S3_SECRET_ACCESS_KEY: f.S3_SECRET_ACCESS_KEY,
} as const;
