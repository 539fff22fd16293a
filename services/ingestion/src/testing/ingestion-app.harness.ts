import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { kafkaFields, loadConfig, redisFields } from '@curation/config';
import { configureBodyParsers } from '@curation/platform';
import { z } from 'zod';
import { ingestionConfigSchema, type IngestionConfig } from '../config/ingestion.config';
import { ingestionBodyParsers } from '../ingestion-body-parsers';
import { IngestionModule } from '../ingestion.module';

/** The real servers the integration global setup points at (only Kafka and Redis are needed). */
export function kafkaAndRedis() {
  return loadConfig(z.object({ ...kafkaFields, ...redisFields }));
}

export interface IngestionHarness {
  app: INestApplication;
  url: string;
  config: IngestionConfig;
  close(): Promise<void>;
}

/** Boots the real IngestionModule on 127.0.0.1 with an ephemeral port, as main.ts would. */
export async function startIngestion(
  environment: Record<string, string>,
): Promise<IngestionHarness> {
  const infra = kafkaAndRedis();
  const config = loadConfig(ingestionConfigSchema, {
    KAFKA_BROKERS: infra.KAFKA_BROKERS.join(','),
    REDIS_URL: infra.REDIS_URL,
    LOG_LEVEL: 'warn',
    KAFKA_RETRY_INITIAL_DELAY_MS: '100',
    OPENPROJECT_SWEEP_INTERVAL_SECONDS: '0',
    OPENPROJECT_RETRY_INITIAL_DELAY_MS: '100',
    OPENPROJECT_RETRY_MAX_DELAY_MS: '500',
    OPENPROJECT_REQUEST_TIMEOUT_MS: '3000',
    ...environment,
  });
  const app = await NestFactory.create<NestExpressApplication>(IngestionModule.forRoot(config), {
    logger: ['error', 'warn'],
  });
  configureBodyParsers(app, ingestionBodyParsers(config));
  app.enableShutdownHooks();
  try {
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app.close();
    throw error;
  }
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, config, close: () => app.close() };
}
