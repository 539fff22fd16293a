import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@curation/platform';
import { REDIS_CLIENT } from '@curation/redis';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { IngestionConfig } from '../config/ingestion.config';
import type { WriteBackOutcome } from './write-back.job';

export type CommentClaim =
  { kind: 'claimed'; token: string } | { kind: 'posted' } | { kind: 'busy' };

/** A posted comment is remembered this long: longer than any redelivery (Kafka keeps 7 days). */
const POSTED_TTL_SECONDS = 30 * 24 * 3600;

const CLAIM_SCRIPT = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 'claimed' end
if redis.call('GET', KEYS[1]) == 'posted' then return 'posted' end
return 'busy'
`;

const CONFIRM_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('SET', KEYS[1], 'posted', 'EX', ARGV[2])
end
return 0
`;

const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * One comment per item, revision and outcome across redeliveries and instances: a claim is
 * taken (SET NX, expiring, so a crashed poster does not block it for good) before posting,
 * turned into `posted` after OpenProject answered, released when posting failed so a retry can
 * post.
 */
@Injectable()
export class WriteBackClaimRepository {
  private readonly prefix: string;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: IngestionConfig,
  ) {
    this.prefix = `${config.INGESTION_REDIS_KEY_PREFIX}:op:write-back`;
  }

  async claim(
    itemId: string,
    revision: number,
    outcome: WriteBackOutcome,
    holdMs: number,
  ): Promise<CommentClaim> {
    const token = randomUUID();
    const key = this.key(itemId, revision, outcome);
    const kind = (await this.redis.eval(CLAIM_SCRIPT, 1, key, token, holdMs)) as string;
    if (kind === 'claimed') return { kind, token };
    return kind === 'posted' ? { kind: 'posted' } : { kind: 'busy' };
  }

  async confirm(
    itemId: string,
    revision: number,
    outcome: WriteBackOutcome,
    token: string,
  ): Promise<void> {
    await this.redis.eval(
      CONFIRM_SCRIPT,
      1,
      this.key(itemId, revision, outcome),
      token,
      POSTED_TTL_SECONDS,
    );
  }

  async release(
    itemId: string,
    revision: number,
    outcome: WriteBackOutcome,
    token: string,
  ): Promise<void> {
    await this.redis.eval(RELEASE_SCRIPT, 1, this.key(itemId, revision, outcome), token);
  }

  private key(itemId: string, revision: number, outcome: WriteBackOutcome): string {
    return `${this.prefix}:${itemId}:${revision}:${outcome}`;
  }
}
