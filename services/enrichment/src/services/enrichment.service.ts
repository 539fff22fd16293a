import { Inject, Injectable, Logger } from '@nestjs/common';
import { Topic, type EventOf, type ItemEnrichedData } from '@curation/contracts';
import { EventPublisher, OnEvent, type StageFailure } from '@curation/kafka';
import {
  APP_CONFIG,
  IO_SECONDS_BUCKETS,
  pipelineCounter,
  pipelineHistogram,
} from '@curation/platform';
import { HostThrottleRepository } from '@curation/redis';
import { SafeFetchError } from '@curation/safe-fetch';
import { escapeText } from 'entities';
import type { EnrichmentConfig } from '../config/enrichment.config';
import type { PageFetchJob } from '../page-fetch.job';
import { ItemLinkRepository } from '../repositories/item-link.repository';
import { OfferingRepository } from '../repositories/offering.repository';
import {
  PageExtractionRepository,
  type PageExtraction,
} from '../repositories/page-extraction.repository';
import { PageFetchQueueRepository } from '../repositories/page-fetch-queue.repository';
import { PageRepository } from '../repositories/page.repository';
import { deriveFields } from '../utils/derived-fields.util';
import { decodeHtml } from '../utils/html-decoder';
import { pageTitle } from '../utils/metadata-extractor';
import { capHtml, sanitizeBody, summarise } from '../utils/readable-body';
import {
  ArticleClaimRepository,
  type ArticleHolder,
} from '../repositories/article-claim.repository';
import { RawPageRepository, type RawPage } from '../repositories/raw-page.repository';
import { articleKeyOf } from '../utils/article-key.util';
import { RetryableFetchError } from './retryable-fetch.error';

export const RELATED_OFFERINGS_LIMIT = 5;

export interface AttemptInfo {
  attempt: number;
  maxAttempts: number;
}

/** A page whose extraction ran past its deadline or memory: the item's failure reason or body note. */
export const EXTRACTION_BUDGET_EXCEEDED = 'extraction budget exceeded';

/** A re-extraction of an item revision whose page was never kept (fetched before pages were). */
export const NO_STORED_PAGE = 'no stored page for this revision';

export type PageFetchOutcome =
  | { kind: 'enriched'; finalUrl: string; note?: `body: ${typeof EXTRACTION_BUDGET_EXCEEDED}` }
  | { kind: 'duplicate'; duplicateOf: string }
  | { kind: 'skipped'; reason: typeof NO_STORED_PAGE }
  | { kind: 'throttled'; delayMs: number }
  | StageFailure;

/** How an item stands towards the article it publishes (see `claimArticle`). */
type ArticleStanding =
  { kind: 'publishes'; sameArticleAs?: string } | { kind: 'duplicate'; of: string };

/** Compare-and-set races lost in a row before the job is retried by BullMQ instead. */
const CLAIM_ROUNDS = 5;

const outcomes = pipelineCounter({
  name: 'curation_page_fetches_total',
  help: 'Page fetch jobs by outcome (enriched, failed, retry, throttled, ...) and reason (the fetch error code or class)',
  labelNames: ['outcome', 'reason'] as const,
});

const extractionBudget = pipelineCounter({
  name: 'curation_extraction_budget_exceeded_total',
  help: 'Pages over an extraction budget, by what was given up',
  labelNames: ['result'] as const,
});

const fetchSeconds = pipelineHistogram({
  name: 'curation_page_fetch_duration_seconds',
  help: 'Time to fetch a page (redirects and body included), by outcome (ok, error)',
  labelNames: ['outcome'] as const,
  buckets: IO_SECONDS_BUCKETS,
});

@Injectable()
export class EnrichmentService {
  private readonly logger = new Logger(EnrichmentService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: EnrichmentConfig,
    private readonly queue: PageFetchQueueRepository,
    private readonly pages: PageRepository,
    private readonly throttle: HostThrottleRepository,
    private readonly offerings: OfferingRepository,
    private readonly itemLinks: ItemLinkRepository,
    private readonly publisher: EventPublisher,
    private readonly extraction: PageExtractionRepository,
    private readonly rawPages: RawPageRepository,
    private readonly articles: ArticleClaimRepository,
  ) {}

  /** Queues the fetch; once this returns the job is safely in Redis and the offset may be committed. */
  @OnEvent(Topic.ItemReceived)
  async handleReceived(event: EventOf<typeof Topic.ItemReceived>): Promise<void> {
    await this.queue.add({
      itemId: event.itemId,
      revision: event.revision,
      traceparent: event.traceparent,
      received: event.data,
      trigger: 'received',
    });
  }

  /** A removed item is no longer re-linked when the catalogue changes. */
  @OnEvent(Topic.ItemRemoved)
  async handleRemoved(event: EventOf<typeof Topic.ItemRemoved>): Promise<void> {
    await this.itemLinks.remove(event.itemId);
    // A removed item no longer keeps the article from another item.
    await this.articles.release(event.itemId, event.revision);
  }

  /**
   * Fetches, extracts and publishes `enriched`. Retryable trouble throws RetryableFetchError while
   * attempts remain; anything else (or the last attempt) returns `failed`.
   */
  async processPageFetch(job: PageFetchJob, attempt: AttemptInfo): Promise<PageFetchOutcome> {
    let outcome: PageFetchOutcome;
    // A bounded label: the safe client's error code, else the error's class.
    let reasonCode = '';
    try {
      outcome = await this.enrich(job, attempt);
    } catch (error) {
      const retryable = !(error instanceof SafeFetchError) || error.retryable;
      const reason = describeFailure(error);
      if (error instanceof SafeFetchError) {
        this.logger.warn(
          `item ${job.itemId} page fetch: ${error.code}: ${error.message} (${error.url})`,
        );
      }
      reasonCode = error instanceof SafeFetchError ? error.code : (error as Error).name;
      if (retryable && attempt.attempt < attempt.maxAttempts) {
        outcomes.inc({ outcome: 'retry', reason: reasonCode });
        const retryAfterMs =
          error instanceof SafeFetchError && error.retryAfterMs !== undefined
            ? Math.min(error.retryAfterMs, this.config.PAGE_FETCH_MAX_RETRY_AFTER_MS)
            : undefined;
        throw new RetryableFetchError(reason, retryAfterMs, { cause: error });
      }
      outcome = this.fail(job, reason, attempt.attempt, retryable);
    }
    outcomes.inc({ outcome: outcome.kind, reason: reasonCode });
    return outcome;
  }

  /**
   * The page of this revision: for a re-extraction the one kept in S3 (never a fetch), else
   * fetched (politely) and kept, so extraction can run again later without the source site.
   */
  private async pageOf(
    job: PageFetchJob,
  ): Promise<RawPage | { kind: 'throttled'; delayMs: number } | { kind: 'skipped' }> {
    if (job.trigger === 'reextract') {
      return (await this.rawPages.find(job.itemId, job.revision)) ?? { kind: 'skipped' };
    }
    const host = new URL(job.received.url).hostname;
    const delayMs = await this.throttle.reserve(host, this.config.PAGE_FETCH_HOST_INTERVAL_MS);
    if (delayMs > 0) return { kind: 'throttled', delayMs };
    const timer = fetchSeconds.startTimer();
    const fetched = await this.pages.fetch(job.received.url).catch((error: unknown) => {
      timer({ outcome: 'error' });
      throw error;
    });
    timer({ outcome: 'ok' });
    const page = { url: fetched.url, contentType: fetched.contentType, body: fetched.body };
    await this.rawPages.save(job.itemId, job.revision, page);
    return page;
  }

  private async enrich(job: PageFetchJob, attempt: AttemptInfo): Promise<PageFetchOutcome> {
    const page = await this.pageOf(job);
    if ('kind' in page) {
      if (page.kind === 'throttled') return page;
      this.logger.warn(`item ${job.itemId} r${job.revision} not re-extracted: ${NO_STORED_PAGE}`);
      return { kind: 'skipped', reason: NO_STORED_PAGE };
    }
    const decoded = decodeHtml(page.body, page.contentType);
    if (!decoded.ok) return this.fail(job, decoded.reason, attempt.attempt, false);

    const extraction = await this.extraction.extract(decoded.html, page.url, {
      body: !job.received.descriptionHtml?.trim(),
    });
    if (extraction.kind === 'extracted' && extraction.body?.overBudget)
      extractionBudget.inc({ result: `plain-text:${extraction.body.overBudget}` });
    // Without metadata there is nothing worth publishing; without a body the page's own
    // title, description and image still make a useful item (as a page Readability finds no
    // article in does), so only the body is given up.
    if (extraction.kind === 'over-budget') {
      extractionBudget.inc({ result: 'failed' });
      return this.fail(job, EXTRACTION_BUDGET_EXCEEDED, attempt.attempt, false);
    }
    if (extraction.kind === 'body-over-budget') {
      extractionBudget.inc({ result: 'body-dropped' });
      this.logger.warn(
        `item ${job.itemId} r${job.revision}: ${EXTRACTION_BUDGET_EXCEEDED} for the body of ${page.url}; published without it`,
      );
    }

    const standing = await this.claimArticle(job, page.url, extraction.metadata.canonicalUrl);
    if (standing.kind === 'duplicate') {
      await this.publishDuplicate(job, job.revision, standing.of);
      return { kind: 'duplicate', duplicateOf: standing.of };
    }

    const data = await this.buildEnrichedData(job, page.url, extraction);
    await this.publisher.publish(Topic.ItemEnriched, {
      itemId: job.itemId,
      revision: job.revision,
      traceparent: job.traceparent,
      data: standing.sameArticleAs ? { ...data, sameArticleAs: standing.sameArticleAs } : data,
    });
    await this.itemLinks.record(job);
    return extraction.kind === 'body-over-budget'
      ? { kind: 'enriched', finalUrl: page.url, note: `body: ${EXTRACTION_BUDGET_EXCEEDED}` }
      : { kind: 'enriched', finalUrl: page.url };
  }

  /**
   * One article, one document. The first item to publish an article holds it; a submission of
   * an article another item holds is a duplicate of it; a work package takes an article from a
   * submission (whose document is removed, marked duplicate of the work package). Two work
   * packages of one article both publish: editors decide, and the write-back comment tells them.
   */
  private async claimArticle(
    job: PageFetchJob,
    finalUrl: string,
    canonicalUrl: string | undefined,
  ): Promise<ArticleStanding> {
    const key = articleKeyOf({ submittedUrl: job.received.url, finalUrl, canonicalUrl });
    const me: ArticleHolder = {
      itemId: job.itemId,
      revision: job.revision,
      source: job.received.source,
    };
    const previous = await this.articles.articleOf(job.itemId);
    if (previous !== undefined && previous !== this.articles.storedKeyOf(key)) {
      // This revision names another article than an earlier one: that article is free again.
      await this.articles.release(job.itemId, job.revision);
    }
    for (let round = 0; round < CLAIM_ROUNDS; round++) {
      const current = await this.articles.holder(key);
      const holder = current?.holder;
      if (holder && holder.itemId !== job.itemId) {
        if (me.source === 'submission') return { kind: 'duplicate', of: holder.itemId };
        if (holder.source === 'openproject') {
          return { kind: 'publishes', sameArticleAs: holder.itemId };
        }
        // Removed before the article changes hands: a crash in between repeats both steps.
        await this.publishDuplicate(
          { itemId: holder.itemId, traceparent: job.traceparent },
          holder.revision + 1,
          job.itemId,
        );
      } else if (holder && holder.revision > job.revision) {
        // A newer revision of this item already holds it: an older job changes nothing.
        return { kind: 'publishes' };
      }
      if (await this.articles.compareAndSet(key, current?.raw, me)) return { kind: 'publishes' };
    }
    throw new Error(`the article of ${finalUrl} changed hands ${CLAIM_ROUNDS} times meanwhile`);
  }

  /** `removed` with reason `duplicate`: the item's document (if any) goes, its status names the other item. */
  private async publishDuplicate(
    item: { itemId: string; traceparent?: string },
    revision: number,
    duplicateOf: string,
  ): Promise<void> {
    this.logger.log(`item ${item.itemId} r${revision} is a duplicate of ${duplicateOf}`);
    await this.publisher.publish(Topic.ItemRemoved, {
      itemId: item.itemId,
      revision,
      traceparent: item.traceparent,
      data: { reason: 'duplicate', duplicateOf },
    });
  }

  async buildEnrichedData(
    job: PageFetchJob,
    finalUrl: string,
    extraction: Exclude<PageExtraction, { kind: 'over-budget' }>,
  ): Promise<ItemEnrichedData> {
    const { descriptionHtml, ...received } = job.received;
    const meta = extraction.metadata;
    const readable = extraction.kind === 'extracted' ? extraction.body : undefined;
    const curated = descriptionHtml?.trim();
    // The body is chosen here, once: the curator's description wins over the page's text, and
    // is sanitised and capped like it. It travels on as the body only (not as descriptionHtml
    // too: two copies could take the event past Kafka's 1 MB).
    const bodyHtml = curated
      ? capHtml(sanitizeBody(curated, finalUrl), this.config.BODY_MAX_BYTES, finalUrl)
      : (readable?.html ?? '');
    const title = received.title ?? pageTitle(meta) ?? new URL(received.url).hostname;
    const description =
      summarise(bodyHtml) || summarise(`<p>${escapeText(meta.description ?? '')}</p>`);
    const relatedOfferings = await this.offerings.findRelated({
      categories: received.topics,
      text: `${title} ${description}`,
      limit: RELATED_OFFERINGS_LIMIT,
    });
    return {
      ...received,
      page: {
        finalUrl,
        canonicalUrl: meta.canonicalUrl,
        title: meta.title,
        description: meta.description,
        siteName: meta.siteName,
        publisher: meta.publisher,
        lang: meta.lang,
        htmlMetaData: meta.htmlMetaData,
        openGraphMetaData: meta.openGraphMetaData,
        twitterMetaData: meta.twitterMetaData,
        authors: meta.authors.length > 0 ? meta.authors : (readable?.bylineAuthors ?? []),
        publishedAt: meta.publishedAt,
        modifiedAt: meta.modifiedAt,
        imageCandidates: meta.imageCandidates,
      },
      article: { title, bodyHtml, description },
      derived: deriveFields(received.url, title),
      relatedOfferings,
      trigger: job.trigger,
      enrichedAt: new Date().toISOString(),
    };
  }

  /** The job base reports it as `item.failed`. */
  private fail(
    job: PageFetchJob,
    reason: string,
    attempts: number,
    retryable: boolean,
  ): PageFetchOutcome {
    this.logger.warn(
      `item ${job.itemId} r${job.revision} failed enrichment after ${attempts} attempt(s): ${reason}`,
    );
    return { kind: 'failed', reason, retryable };
  }
}

/** What the item's status and events show: a fetch failure's class, never the address it resolved to (logged above). */
function describeFailure(error: unknown): string {
  if (error instanceof SafeFetchError) return error.publicReason;
  return (error instanceof Error ? error.message : String(error)).slice(0, 1000) || 'unknown error';
}
