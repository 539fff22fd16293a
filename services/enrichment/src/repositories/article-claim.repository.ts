import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@curation/platform';
import { REDIS_CLIENT } from '@curation/redis';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import type { EnrichmentConfig } from '../config/enrichment.config';

/** The item that publishes an article, as stored under the article's key. */
export interface ArticleHolder {
  itemId: string;
  revision: number;
  source: 'openproject' | 'submission';
}

/** Sets the holder only if it is still what the caller read (empty: none), and notes the item's article. */
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1]) or ''
if current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], KEYS[1])
return 1`;

/** Frees the item's article unless a newer revision of the item (or another item) holds it. */
const RELEASE = `
local article = redis.call('GET', KEYS[1])
if not article then return 0 end
local current = redis.call('GET', article)
if current then
  local holder = cjson.decode(current)
  if holder.itemId == ARGV[1] and holder.revision <= tonumber(ARGV[2]) then
    redis.call('DEL', article)
  end
end
redis.call('DEL', KEYS[1])
return 1`;

/**
 * Which item publishes each article (Redis): read, decide, then compare-and-set, so two
 * enrichments of one article never both take it and a redelivered job decides the same again.
 */
@Injectable()
export class ArticleClaimRepository {
  private readonly prefix: string;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: EnrichmentConfig,
  ) {
    this.prefix = `${config.QUEUE_PREFIX}:articles`;
  }

  /** The holder as stored (compare with `compareAndSet`), or undefined. */
  async holder(articleKey: string): Promise<{ raw: string; holder: ArticleHolder } | undefined> {
    const raw = await this.redis.get(this.articleKey(articleKey));
    return raw ? { raw, holder: JSON.parse(raw) as ArticleHolder } : undefined;
  }

  async compareAndSet(
    articleKey: string,
    expectedRaw: string | undefined,
    holder: ArticleHolder,
  ): Promise<boolean> {
    const set = await this.redis.eval(
      COMPARE_AND_SET,
      2,
      this.articleKey(articleKey),
      this.itemKey(holder.itemId),
      expectedRaw ?? '',
      JSON.stringify(holder),
    );
    return set === 1;
  }

  /** The article this item held before (another URL in an earlier revision), if any. */
  async articleOf(itemId: string): Promise<string | undefined> {
    return (await this.redis.get(this.itemKey(itemId))) ?? undefined;
  }

  /** The item no longer publishes what it held (removed, or moved to another article). */
  async release(itemId: string, revision: number): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.itemKey(itemId), itemId, String(revision));
  }

  storedKeyOf(articleKey: string): string {
    return this.articleKey(articleKey);
  }

  /** Hashed: a URL can be longer than anyone wants in a key. */
  private articleKey(articleKey: string): string {
    return `${this.prefix}:${createHash('sha256').update(articleKey).digest('hex')}`;
  }

  private itemKey(itemId: string): string {
    return `${this.prefix}:item:${itemId}`;
  }
}
