import type { BodyParserOptions } from '@curation/platform';
import type { IngestionConfig } from './config/ingestion.config';
import { OPENPROJECT_WEBHOOK_PATH } from './controllers/openproject-webhook.controller';

/** JSON for the API; raw bytes, capped by the same limit, for the signed webhook. */
export function ingestionBodyParsers(config: IngestionConfig): BodyParserOptions {
  return {
    jsonBodyLimitBytes: config.INGESTION_MAX_BODY_BYTES,
    rawBodyRoutes: [
      { path: OPENPROJECT_WEBHOOK_PATH, limitBytes: config.INGESTION_MAX_BODY_BYTES },
    ],
  };
}
