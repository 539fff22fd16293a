import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '@curation/platform';
import { HostThrottle } from '@curation/safe-fetch';
import { Redis } from 'ioredis';
import type { ImageProcessingConfig } from '../config/image-processing.config';

/** Per-host politeness of image downloads, shared by every worker and instance (enrichment's mechanism). */
@Injectable()
export class HostThrottleRepository implements OnApplicationShutdown {
  private readonly redis: Redis;
  private readonly throttle: HostThrottle;

  constructor(@Inject(APP_CONFIG) config: ImageProcessingConfig) {
    this.redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3, lazyConnect: true });
    this.throttle = new HostThrottle(this.redis, `${config.QUEUE_PREFIX}:image-fetch:host:`);
  }

  /** Takes the host's slot and returns 0, or returns how long until the slot frees. */
  reserve(host: string, intervalMs: number): Promise<number> {
    return this.throttle.reserve(host, intervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}
