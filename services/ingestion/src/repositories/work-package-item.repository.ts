import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@curation/platform';
import { REDIS_CLIENT } from '@curation/redis';
import type { Redis } from 'ioredis';
import type { IngestionConfig } from '../config/ingestion.config';

/**
 * What ingestion remembers about the item of each work package beyond its versions: which work
 * package an item belongs to (item ids are one-way hashes) and the digest of the last
 * revision published, so a change that publishes nothing new runs nothing.
 */
@Injectable()
export class WorkPackageItemRepository {
  private readonly keys: { digests: string; workPackages: string };

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: IngestionConfig,
  ) {
    const prefix = `${config.INGESTION_REDIS_KEY_PREFIX}:op`;
    this.keys = { digests: `${prefix}:digests`, workPackages: `${prefix}:work-packages` };
  }

  async remember(itemId: string, workPackageId: number, digest?: string): Promise<void> {
    const transaction = this.redis.multi().hset(this.keys.workPackages, itemId, workPackageId);
    if (digest === undefined) transaction.hdel(this.keys.digests, itemId);
    else transaction.hset(this.keys.digests, itemId, digest);
    await transaction.exec();
  }

  async digestOf(itemId: string): Promise<string | undefined> {
    return (await this.redis.hget(this.keys.digests, itemId)) ?? undefined;
  }

  async workPackageOf(itemId: string): Promise<number | undefined> {
    const stored = await this.redis.hget(this.keys.workPackages, itemId);
    return stored ? Number(stored) : undefined;
  }
}
