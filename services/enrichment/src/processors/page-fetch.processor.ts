import { Processor } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { QueueName } from '@curation/contracts';
import { ItemStageWorker, type JobAttempt } from '@curation/kafka';
import { APP_CONFIG } from '@curation/platform';
import { exponentialDelay } from '@curation/queue';
import { DelayedError, type Job, type MinimalJob } from 'bullmq';
import type { EnrichmentConfig } from '../config/enrichment.config';
import { PAGE_FETCH_BACKOFF, type PageFetchJob } from '../page-fetch.job';
import { EnrichmentService, type PageFetchOutcome } from '../services/enrichment.service';
import { RetryableFetchError } from '../services/retryable-fetch.error';

/** Exponential backoff from the job's base delay, but never sooner than the server's Retry-After. */
export function pageFetchBackoff(
  attemptsMade: number,
  type?: string,
  error?: Error,
  job?: MinimalJob,
): number {
  const exponential = exponentialDelay(attemptsMade, job);
  const retryAfter = error instanceof RetryableFetchError ? (error.retryAfterMs ?? 0) : 0;
  return type === PAGE_FETCH_BACKOFF ? Math.max(exponential, retryAfter) : exponential;
}

// Started by hand once every module is initialised (indexes ensured, Kafka producer connected).
@Processor(QueueName.PageFetch, { autorun: false, settings: { backoffStrategy: pageFetchBackoff } })
export class PageFetchProcessor
  extends ItemStageWorker<PageFetchJob, Exclude<PageFetchOutcome, { kind: 'throttled' }>>
  implements OnApplicationBootstrap
{
  protected readonly stage = 'enrichment';

  constructor(
    @Inject(APP_CONFIG) private readonly config: EnrichmentConfig,
    private readonly service: EnrichmentService,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.PAGE_FETCH_CONCURRENCY;
    void this.worker.run();
  }

  protected async run(job: Job<PageFetchJob>, attempt: JobAttempt, token?: string) {
    const outcome = await this.service.processPageFetch(job.data, attempt);
    if (outcome.kind === 'throttled') {
      // Politeness wait: back to the delayed set without spending an attempt.
      await job.moveToDelayed(Date.now() + outcome.delayMs, token);
      throw new DelayedError();
    }
    return outcome;
  }
}
