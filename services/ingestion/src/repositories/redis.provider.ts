import {
  Inject,
  Injectable,
  OnApplicationShutdown,
  OnModuleInit,
  type FactoryProvider,
} from '@nestjs/common';
import { APP_CONFIG, ReadinessRegistry } from '@curation/platform';
import { Redis } from 'ioredis';
import type { IngestionConfig } from '../config/ingestion.config';

export const REDIS_CLIENT = Symbol('INGESTION_REDIS_CLIENT');

export const redisClientProvider: FactoryProvider<Redis> = {
  provide: REDIS_CLIENT,
  inject: [APP_CONFIG],
  useFactory: (config: IngestionConfig) =>
    new Redis(config.REDIS_URL, { connectionName: 'ingestion', maxRetriesPerRequest: 5 }),
};

/** Reports Redis in /health/ready and closes the connection after everything using it stopped. */
@Injectable()
export class RedisLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.readiness.register('redis', async () => {
      await this.redis.ping();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
