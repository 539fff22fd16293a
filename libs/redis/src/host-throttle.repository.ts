import type { FactoryProvider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS_CLIENT } from './redis.module';

/**
 * Per-host politeness shared by every worker and instance: one Redis key per host that lives for
 * the interval. Page fetches (enrichment) and image downloads (image-processing) each use it with
 * their own key prefix and interval.
 */
export class HostThrottleRepository {
  constructor(
    private readonly redis: Pick<Redis, 'set' | 'pttl'>,
    private readonly keyPrefix: string,
  ) {}

  /** Takes the host's slot and returns 0, or returns how long until the slot frees. */
  async reserve(host: string, intervalMs: number): Promise<number> {
    if (intervalMs <= 0) return 0;
    const key = this.keyPrefix + host.toLowerCase();
    const taken = await this.redis.set(key, '1', 'PX', intervalMs, 'NX');
    if (taken === 'OK') return 0;
    const remaining = await this.redis.pttl(key);
    return remaining > 0 ? remaining : 1;
  }
}

/** The service's HostThrottleRepository, on the shared Redis client, under `keyPrefix`. */
export function hostThrottleProvider(keyPrefix: string): FactoryProvider<HostThrottleRepository> {
  return {
    provide: HostThrottleRepository,
    inject: [REDIS_CLIENT],
    useFactory: (redis: Redis) => new HostThrottleRepository(redis, keyPrefix),
  };
}
