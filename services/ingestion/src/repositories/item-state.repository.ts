import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@curation/platform';
import { REDIS_CLIENT } from '@curation/redis';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { IngestionConfig } from '../config/ingestion.config';

/** An upstream version: `lockVersion`, ties broken by `updatedAt` (ms). */
export interface UpstreamVersion {
  lockVersion: number;
  updatedAtMs: number;
}

export type ClaimResult =
  | { kind: 'claimed'; token: string }
  | { kind: 'stale'; published: UpstreamVersion }
  | { kind: 'busy' };

/**
 * Lua: whether the version in ARGV[2] (lockVersion) and ARGV[3] (updatedAt ms) is newer than the
 * one recorded for field ARGV[1] of hash KEYS[1] (`lockVersion|ms`), and the recorded one.
 */
const IS_NEWER = `
local function isNewer()
  local current = redis.call('HGET', KEYS[1], ARGV[1])
  if not current then return true, current end
  local sep = string.find(current, '|', 1, true)
  local lv = tonumber(string.sub(current, 1, sep - 1))
  local ms = tonumber(string.sub(current, sep + 1))
  local newLv = tonumber(ARGV[2])
  local newMs = tonumber(ARGV[3])
  return newLv > lv or (newLv == lv and newMs > ms), current
end
`;

/** Returns 'stale' when the stored version is newer or equal, else takes the claim (NX, PX). */
const CLAIM_SCRIPT = `${IS_NEWER}
local newer, current = isNewer()
if not newer then return {'stale', current} end
if redis.call('SET', KEYS[2], ARGV[4], 'NX', 'PX', ARGV[5]) then return {'claimed', ''} end
return {'busy', ''}
`;

/** Records the published version (never moving backwards), updates the live set, drops the claim. */
const COMMIT_SCRIPT = `${IS_NEWER}
if isNewer() then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. ARGV[3])
  if ARGV[6] == 'live' then
    redis.call('HSET', KEYS[3], ARGV[5], ARGV[2])
  else
    redis.call('HDEL', KEYS[3], ARGV[5])
  end
end
if redis.call('GET', KEYS[2]) == ARGV[4] then redis.call('DEL', KEYS[2]) end
return 1
`;

const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

const CLAIM_TTL_MS = 30000;
const SWEEP_LOCK_TTL_MS = 15 * 60 * 1000;

function parseVersion(text: string): UpstreamVersion {
  const [lockVersion, updatedAtMs] = text.split('|').map(Number);
  return { lockVersion, updatedAtMs };
}

/**
 * What ingestion remembers in Redis about OpenProject items: the last published version of each
 * item (so duplicate webhooks publish once, across instances), the work packages currently
 * published (so the sweep can find deletions) and the sweep's watermark and lock.
 */
@Injectable()
export class ItemStateRepository {
  private readonly keys: {
    revisions: string;
    live: string;
    sweepWatermark: string;
    sweepLock: string;
    claim: (itemId: string) => string;
  };

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: IngestionConfig,
  ) {
    const prefix = `${config.INGESTION_REDIS_KEY_PREFIX}:op`;
    this.keys = {
      revisions: `${prefix}:revisions`,
      live: `${prefix}:live`,
      sweepWatermark: `${prefix}:sweep:watermark`,
      sweepLock: `${prefix}:sweep:lock`,
      claim: (itemId) => `${prefix}:claim:${itemId}`,
    };
  }

  async claim(itemId: string, version: UpstreamVersion): Promise<ClaimResult> {
    const token = randomUUID();
    const [kind, stored] = (await this.redis.eval(
      CLAIM_SCRIPT,
      2,
      this.keys.revisions,
      this.keys.claim(itemId),
      itemId,
      version.lockVersion,
      version.updatedAtMs,
      token,
      CLAIM_TTL_MS,
    )) as [string, string];
    if (kind === 'claimed') return { kind, token };
    if (kind === 'stale') return { kind, published: parseVersion(stored) };
    return { kind: 'busy' };
  }

  async commit(
    itemId: string,
    workPackageId: number,
    version: UpstreamVersion,
    token: string,
    state: 'live' | 'removed',
  ): Promise<void> {
    await this.redis.eval(
      COMMIT_SCRIPT,
      3,
      this.keys.revisions,
      this.keys.claim(itemId),
      this.keys.live,
      itemId,
      version.lockVersion,
      version.updatedAtMs,
      token,
      workPackageId,
      state,
    );
  }

  async release(itemId: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE_SCRIPT, 1, this.keys.claim(itemId), token);
  }

  async publishedVersion(itemId: string): Promise<UpstreamVersion | undefined> {
    const stored = await this.redis.hget(this.keys.revisions, itemId);
    return stored ? parseVersion(stored) : undefined;
  }

  async isLive(workPackageId: number): Promise<boolean> {
    return (await this.redis.hexists(this.keys.live, String(workPackageId))) === 1;
  }

  /** Work packages currently published, with the lockVersion published. */
  async liveWorkPackages(): Promise<Map<number, number>> {
    const entries = await this.redis.hgetall(this.keys.live);
    return new Map(
      Object.entries(entries).map(([id, lockVersion]) => [Number(id), Number(lockVersion)]),
    );
  }

  async sweepWatermark(): Promise<Date | undefined> {
    const stored = await this.redis.get(this.keys.sweepWatermark);
    return stored ? new Date(stored) : undefined;
  }

  async setSweepWatermark(at: Date): Promise<void> {
    await this.redis.set(this.keys.sweepWatermark, at.toISOString());
  }

  /** A token when this instance may sweep now, `undefined` when another sweep holds the lock. */
  async acquireSweepLock(): Promise<string | undefined> {
    const token = randomUUID();
    const taken = await this.redis.set(this.keys.sweepLock, token, 'PX', SWEEP_LOCK_TTL_MS, 'NX');
    return taken ? token : undefined;
  }

  async releaseSweepLock(token: string): Promise<void> {
    await this.redis.eval(RELEASE_SCRIPT, 1, this.keys.sweepLock, token);
  }
}
