import { Inject, Injectable } from '@nestjs/common';
import { REDIS_CLIENT } from '@curation/redis';
import type { Redis } from 'ioredis';
import type { ItemState, ItemStatus } from './item-status';

const statusKey = (itemId: string) => `curation:status:item:${itemId}`;
const stateIndexKey = (state: ItemState) => `curation:status:state:${state}`;
const workPackageIndexKey = (workPackageId: number) =>
  `curation:status:work-package:${workPackageId}`;
const retryInputKey = (itemId: string) => `curation:status:retry-input:${itemId}`;
const MAX_CONFLICT_RETRIES = 20;

/** A stage's input as it was last seen: what a retry publishes again. */
export interface RetryInput {
  revision: number;
  /** The message value (an event envelope) as it travelled. */
  value: string;
}

// Keeps the newest revision per topic; values are `<revision>:<message value>`.
const SAVE_RETRY_INPUT = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local revision = tonumber(string.match(current, '^(%d+):'))
  if revision and revision > tonumber(ARGV[2]) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1`;

const FORGET_RETRY_INPUTS = `
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local revision = tonumber(string.match(fields[i + 1], '^(%d+):'))
  if not revision or revision <= tonumber(ARGV[1]) then redis.call('HDEL', KEYS[1], fields[i]) end
end
return 1`;

/** Item statuses in Redis (AOF-persisted), with one sorted index per state, newest first. */
@Injectable()
export class ItemStatusRepository {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  async get(itemId: string): Promise<ItemStatus | undefined> {
    const raw = await this.redis.get(statusKey(itemId));
    return raw ? (JSON.parse(raw) as ItemStatus) : undefined;
  }

  async listByState(state: ItemState, limit: number): Promise<ItemStatus[]> {
    return this.getMany(await this.redis.zrevrange(stateIndexKey(state), 0, limit - 1));
  }

  /** Items of a work package, newest first (a changed `cleanUrl` may have made a second one). */
  async listByWorkPackage(workPackageId: number): Promise<ItemStatus[]> {
    const found = await this.getMany(await this.redis.smembers(workPackageIndexKey(workPackageId)));
    return found.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
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
      if (next.workPackageId !== undefined)
        transaction.sadd(workPackageIndexKey(next.workPackageId), itemId);
      if (await transaction.exec()) return next;
    }
    throw new Error(
      `status of ${itemId} kept changing under ${MAX_CONFLICT_RETRIES} concurrent updates`,
    );
  }

  /** Remembers a stage's input for `ttlMs`, unless a newer revision of it is already kept. */
  async saveRetryInput(
    itemId: string,
    topic: string,
    input: RetryInput,
    ttlMs: number,
  ): Promise<void> {
    await this.redis.eval(
      SAVE_RETRY_INPUT,
      1,
      retryInputKey(itemId),
      topic,
      String(input.revision),
      input.value,
      String(ttlMs),
    );
  }

  async retryInput(itemId: string, topic: string): Promise<RetryInput | undefined> {
    const raw = await this.redis.hget(retryInputKey(itemId), topic);
    const match = raw ? /^(\d+):/.exec(raw) : null;
    if (!raw || !match) return undefined;
    return { revision: Number(match[1]), value: raw.slice(match[0].length) };
  }

  /** A completed or removed revision is never retried: its inputs (and older ones) go. */
  async forgetRetryInputs(itemId: string, upToRevision: number): Promise<void> {
    await this.redis.eval(FORGET_RETRY_INPUTS, 1, retryInputKey(itemId), String(upToRevision));
  }

  private async getMany(itemIds: string[]): Promise<ItemStatus[]> {
    if (itemIds.length === 0) return [];
    const raws = await this.redis.mget(itemIds.map(statusKey));
    return raws
      .filter((raw): raw is string => raw !== null)
      .map((raw) => JSON.parse(raw) as ItemStatus);
  }
}
