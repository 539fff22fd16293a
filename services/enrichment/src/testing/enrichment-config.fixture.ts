import { enrichmentConfigSchema, type EnrichmentConfig } from '../config/enrichment.config';

/** Enrichment's configuration for tests that reach no server; a test names what differs. */
export function testEnrichmentConfig(settings: Record<string, string> = {}): EnrichmentConfig {
  return enrichmentConfigSchema.parse({
    KAFKA_BROKERS: '127.0.0.1:1',
    REDIS_URL: 'redis://127.0.0.1:1',
    OPENSEARCH_URL: 'http://127.0.0.1:1',
    S3_ENDPOINT: 'http://127.0.0.1:1',
    S3_ACCESS_KEY_ID: 'test',
    S3_SECRET_ACCESS_KEY: 'test',
    ...settings,
  });
}
