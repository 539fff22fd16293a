import { Inject, Injectable, Logger } from '@nestjs/common';
import { Topic, itemIdForWorkPackage, type EventOf } from '@curation/contracts';
import { OnEvent, type EventHandlerOptions } from '@curation/kafka';
import { publicFailureReason } from '../operations/public-failure-reason';
import { OpenProjectRequestError, OpenProjectUnavailableError } from '@curation/openproject';
import { APP_CONFIG } from '@curation/platform';
import type { IngestionConfig } from '../config/ingestion.config';
import { writeBackTotal } from '../ingestion.metrics';
import { ItemStateRepository } from '../repositories/item-state.repository';
import { OpenProjectRepository } from '../repositories/openproject.repository';
import { WorkPackageItemRepository } from '../repositories/work-package-item.repository';
import {
  failedComment,
  publishedComment,
  removedComment,
  type PublishedNotes,
} from './comment-text';
import { WriteBackClaimRepository } from './write-back-claim.repository';
import { WriteBackQueueRepository } from './write-back-queue.repository';
import type { WriteBackJob, WriteBackOutcome } from './write-back.job';

export type PostResult = 'posted' | 'duplicate' | 'rejected' | 'gave-up';

/**
 * A consumer group of its own (`<prefix>.ingestion.write-back`): item status already follows
 * these topics in ingestion's group.
 */
export const WRITE_BACK_GROUP = 'write-back';

const writeBackEvents: EventHandlerOptions<IngestionConfig> = {
  group: WRITE_BACK_GROUP,
  when: (config) => config.OPENPROJECT_WRITE_BACK !== 'off',
};

/** Another attempt is posting this comment right now (or crashed while posting): try later. */
export class CommentBusyError extends Error {}

/** Margin over the request timeout before a crashed poster's claim lapses. */
const CLAIM_MARGIN_MS = 30000;

/**
 * Tells the editors of a work package what became of its item: one comment per revision and
 * outcome. Outcomes are queued (never blocking the Kafka consumer) and posted by the write-back
 * worker; a comment that cannot be posted is logged and counted, never fails the pipeline.
 */
@Injectable()
export class WriteBackService {
  private readonly logger = new Logger(WriteBackService.name);

  constructor(
    private readonly openProject: OpenProjectRepository,
    private readonly items: WorkPackageItemRepository,
    private readonly state: ItemStateRepository,
    private readonly claims: WriteBackClaimRepository,
    private readonly queue: WriteBackQueueRepository,
    @Inject(APP_CONFIG) private readonly config: IngestionConfig,
  ) {}

  @OnEvent(Topic.ItemIndexed, writeBackEvents)
  async published(event: EventOf<typeof Topic.ItemIndexed>): Promise<void> {
    const { data } = event;
    // The event names a work package of some OpenProject: only this one's own items are ours.
    const named =
      data.workPackageId !== undefined &&
      itemIdForWorkPackage(this.config.OPENPROJECT_URL, data.workPackageId) === event.itemId
        ? data.workPackageId
        : undefined;
    const workPackageId = named ?? (await this.items.workPackageOf(event.itemId));
    if (workPackageId === undefined) return this.noWorkPackage('published');
    const notes: PublishedNotes = {};
    if (data.canonicalUrl && data.url && !sameUrl(data.canonicalUrl, data.url)) {
      notes.canonicalUrl = data.canonicalUrl;
    }
    if (data.attachmentUnused) notes.attachmentUnused = data.attachmentUnused.reason;
    // Enrichment's one-article rule decided it; the comment names that item's work package.
    const holder = data.sameArticleAs
      ? await this.items.workPackageOf(data.sameArticleAs)
      : undefined;
    if (holder && holder !== workPackageId && (await this.state.isLive(holder))) {
      notes.sameArticleAs = holder;
    }
    const comment = publishedComment({
      itemId: event.itemId,
      revision: event.revision,
      documentLink: this.documentLink(event.itemId, data.path),
      data,
      notes,
    });
    await this.enqueue(event, 'published', workPackageId, comment);
  }

  @OnEvent(Topic.ItemFailed, writeBackEvents)
  async failed(event: EventOf<typeof Topic.ItemFailed>): Promise<void> {
    const workPackageId = await this.items.workPackageOf(event.itemId);
    if (workPackageId === undefined) return this.noWorkPackage('failed');
    const comment = failedComment({
      itemId: event.itemId,
      revision: event.revision,
      data: event.data,
      publicReason: publicFailureReason(event.data.reason),
    });
    await this.enqueue(event, 'failed', workPackageId, comment);
  }

  @OnEvent(Topic.ItemRemoved, writeBackEvents)
  async removed(event: EventOf<typeof Topic.ItemRemoved>): Promise<void> {
    const workPackageId = await this.items.workPackageOf(event.itemId);
    if (workPackageId === undefined) return this.noWorkPackage('removed');
    const comment = removedComment({
      itemId: event.itemId,
      revision: event.revision,
      data: event.data,
    });
    await this.enqueue(event, 'removed', workPackageId, comment);
  }

  /**
   * Posts one queued comment at most once. Throws only to be tried again later (OpenProject
   * away, within the budget, or another attempt holding the claim).
   */
  async post(job: WriteBackJob): Promise<PostResult> {
    const { itemId, revision, outcome } = job;
    const holdMs = this.config.OPENPROJECT_REQUEST_TIMEOUT_MS + CLAIM_MARGIN_MS;
    const claim = await this.claims.claim(itemId, revision, outcome, holdMs);
    if (claim.kind === 'posted') return this.count(outcome, 'duplicate');
    if (claim.kind === 'busy') {
      throw new CommentBusyError(
        `the ${outcome} comment of ${itemId} r${revision} is being posted`,
      );
    }
    try {
      // One request per attempt: the queue's backoff is the retry, so a claim never outlives it.
      await this.openProject.addComment(job.workPackageId, job.comment, { retry: false });
    } catch (error) {
      await this.claims.release(itemId, revision, outcome, claim.token);
      return this.postFailed(job, error);
    }
    await this.claims.confirm(itemId, revision, outcome, claim.token);
    this.logger.log(
      `${outcome} comment added to work package ${job.workPackageId} (item ${itemId} r${revision})`,
    );
    return this.count(outcome, 'posted');
  }

  private postFailed(job: WriteBackJob, error: unknown): PostResult {
    const target = `the ${job.outcome} comment on work package ${job.workPackageId} (item ${job.itemId} r${job.revision})`;
    const message = (error as Error).message;
    if (error instanceof OpenProjectUnavailableError) {
      const budgetMs = this.config.OPENPROJECT_WRITE_BACK_BUDGET_SECONDS * 1000;
      if (Date.now() - job.queuedAtMs < budgetMs) {
        this.logger.warn(`OpenProject unavailable, ${target} is tried again later: ${message}`);
        throw error;
      }
      this.logger.error(`gave up on ${target} after the write-back budget: ${message}`);
      return this.count(job.outcome, 'gave-up');
    }
    if (error instanceof OpenProjectRequestError) {
      // 403: the API key may not comment on this project; the item stays published all the same.
      this.logger.error(`OpenProject refused ${target} (${error.status}): ${message}`);
      return this.count(job.outcome, 'rejected');
    }
    this.logger.error(`could not add ${target}: ${message}`);
    return this.count(job.outcome, 'rejected');
  }

  private async enqueue(
    event: { itemId: string; revision: number },
    outcome: WriteBackOutcome,
    workPackageId: number,
    comment: string,
  ): Promise<void> {
    await this.queue.add({
      itemId: event.itemId,
      revision: event.revision,
      outcome,
      workPackageId,
      comment,
      queuedAtMs: Date.now(),
    });
    this.count(outcome, 'queued');
  }

  /** The site's page when the site is configured, else the document API of search-indexing. */
  private documentLink(itemId: string, path: string | undefined): string | undefined {
    const site = this.config.PUBLIC_SITE_URL;
    if (site && path) return `${site.replace(/\/+$/, '')}${path}`;
    const search = this.config.SEARCH_PUBLIC_URL;
    return search
      ? `${search.replace(/\/+$/, '')}/v1/items/${encodeURIComponent(itemId)}/document`
      : undefined;
  }

  /** Submissions have no work package to comment on. */
  private noWorkPackage(outcome: WriteBackOutcome): void {
    writeBackTotal.inc({ outcome, result: 'no-work-package' });
  }

  private count<Result extends PostResult | 'queued'>(
    outcome: WriteBackOutcome,
    result: Result,
  ): Result {
    writeBackTotal.inc({ outcome, result });
    return result;
  }
}

function normalised(url: string): string {
  const parsed = new URL(url);
  parsed.hash = '';
  return parsed.toString().replace(/\/$/, '');
}

function sameUrl(a: string, b: string): boolean {
  return normalised(a) === normalised(b);
}
