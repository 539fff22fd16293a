import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { ItemState, ItemStatus } from './item-status';

export const OPERATIONS_REDIS = Symbol('OPERATIONS_REDIS');

const statusKey = (itemId: string) => `curation:status:item:${itemId}`;
const stateIndexKey = (state: ItemState) => `curation:status:state:${state}`;
const MAX_CONFLICT_RETRIES = 20;

/** Item statuses in Redis (AOF-persisted), with one sorted index per state, newest first. */
@Injectable()
export class ItemStatusRepository {
  constructor(@Inject(OPERATIONS_REDIS) private readonly redis: Redis) {}

  async get(itemId: string): Promise<ItemStatus | undefined> {
    const raw = await this.redis.get(statusKey(itemId));
    return raw ? (JSON.parse(raw) as ItemStatus) : undefined;
  }

  async listByState(state: ItemState, limit: number): Promise<ItemStatus[]> {
    const ids = await this.redis.zrevrange(stateIndexKey(state), 0, limit - 1);
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map(statusKey));
    return raws
      .filter((raw): raw is string => raw !== null)
      .map((raw) => JSON.parse(raw) as ItemStatus);
  }

  /**
   * Applies `change` atomically (optimistic WATCH/MULTI, as two instances may update one item);
   * `change` returns undefined to leave the status as it is.
   */
  async update(
    itemId: string,
    change: (current: ItemStatus | undefined) => ItemStatus | undefined,
  ): Promise<ItemStatus | undefined> {
    const key = statusKey(itemId);
    for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
      await this.redis.watch(key);
      const raw = await this.redis.get(key);
      const current = raw ? (JSON.parse(raw) as ItemStatus) : undefined;
      const next = change(current);
      if (!next) {
        await this.redis.unwatch();
        return undefined;
      }
      const transaction = this.redis.multi().set(key, JSON.stringify(next));
      if (current && current.state !== next.state)
        transaction.zrem(stateIndexKey(current.state), itemId);
      transaction.zadd(stateIndexKey(next.state), Date.parse(next.updatedAt), itemId);
      if (await transaction.exec()) return next;
    }
    throw new Error(
      `status of ${itemId} kept changing under ${MAX_CONFLICT_RETRIES} concurrent updates`,
    );
  }
}
