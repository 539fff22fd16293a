import { DynamicModule, Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { readinessCheckedClient } from '@curation/platform';
import { Redis } from 'ioredis';

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

export interface RedisOptions {
  url: string;
  /** Shown by `CLIENT LIST`: which service holds the connection. */
  connectionName: string;
}

/**
 * The service's one Redis client for its own keys (BullMQ opens its own blocking connections),
 * reported in /health/ready as `redis`. Global, so it closes after every module using it.
 */
@Global()
@Module({})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  static forRoot(options: RedisOptions): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        readinessCheckedClient(
          REDIS_CLIENT,
          'redis',
          () =>
            new Redis(options.url, {
              connectionName: options.connectionName,
              maxRetriesPerRequest: 5,
            }),
          (redis) => redis.ping(),
        ),
      ],
      exports: [REDIS_CLIENT],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
