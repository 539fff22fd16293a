import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '@curation/platform';
import { HostThrottle } from '@curation/safe-fetch';
import { Redis } from 'ioredis';
import type { EnrichmentConfig } from '../config/enrichment.config';

/** Per-host politeness shared by every worker: one Redis key per host that lives for the interval. */
@Injectable()
export class HostThrottleRepository implements OnApplicationShutdown {
  private readonly redis: Redis;
  private readonly throttle: HostThrottle;

  constructor(@Inject(APP_CONFIG) config: EnrichmentConfig) {
    this.redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3, lazyConnect: true });
    this.throttle = new HostThrottle(this.redis, `${config.QUEUE_PREFIX}:page-fetch:host:`);
  }

  /** Takes the host's slot and returns 0, or returns how long until the slot frees. */
  reserve(host: string, intervalMs: number): Promise<number> {
    return this.throttle.reserve(host, intervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}
