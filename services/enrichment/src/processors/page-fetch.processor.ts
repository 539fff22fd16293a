import { Processor } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { QueueName } from '@curation/contracts';
import { APP_CONFIG, DrainingWorkerHost } from '@curation/platform';
import { DelayedError, UnrecoverableError, type Job, type MinimalJob } from 'bullmq';
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
  const configured = job?.opts.backoff;
  const base = typeof configured === 'object' ? (configured.delay ?? 1000) : (configured ?? 1000);
  const exponential = base * 2 ** Math.max(0, attemptsMade - 1);
  const retryAfter = error instanceof RetryableFetchError ? (error.retryAfterMs ?? 0) : 0;
  return type === PAGE_FETCH_BACKOFF ? Math.max(exponential, retryAfter) : exponential;
}

// Started by hand once every module is initialised (indexes ensured, Kafka producer connected).
@Processor(QueueName.PageFetch, { autorun: false, settings: { backoffStrategy: pageFetchBackoff } })
export class PageFetchProcessor extends DrainingWorkerHost implements OnApplicationBootstrap {
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

  async process(job: Job<PageFetchJob>, token?: string): Promise<PageFetchOutcome> {
    const outcome = await this.service.processPageFetch(job.data, {
      attempt: job.attemptsMade + 1,
      maxAttempts: job.opts.attempts ?? 1,
    });
    if (outcome.kind === 'throttled') {
      // Politeness wait: back to the delayed set without spending an attempt.
      await job.moveToDelayed(Date.now() + outcome.delayMs, token);
      throw new DelayedError();
    }
    // Already reported as item.failed; failing the job keeps it visible on the queue dashboard.
    if (outcome.kind === 'failed') throw new UnrecoverableError(outcome.reason);
    return outcome;
  }
}
