import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '@curation/platform';
import { Redis } from 'ioredis';
import type { EnrichmentConfig } from '../config/enrichment.config';

/** Per-host politeness shared by every worker: one Redis key per host that lives for the interval. */
@Injectable()
export class HostThrottleRepository implements OnApplicationShutdown {
  private readonly redis: Redis;
  private readonly keyPrefix: string;

  constructor(@Inject(APP_CONFIG) config: EnrichmentConfig) {
    this.redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3, lazyConnect: true });
    this.keyPrefix = `${config.QUEUE_PREFIX}:page-fetch:host:`;
  }

  /** Takes the host's slot and returns 0, or returns how long until the slot frees. */
  async reserve(host: string, intervalMs: number): Promise<number> {
    if (intervalMs <= 0) return 0;
    const key = this.keyPrefix + host.toLowerCase();
    const taken = await this.redis.set(key, '1', 'PX', intervalMs, 'NX');
    if (taken === 'OK') return 0;
    const remaining = await this.redis.pttl(key);
    return remaining > 0 ? remaining : 1;
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}
