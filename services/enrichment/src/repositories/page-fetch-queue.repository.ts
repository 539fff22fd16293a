import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { QueueName, laneJobOptions } from '@curation/contracts';
import type { JobsOptions, Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import type { EnrichmentConfig } from '../config/enrichment.config';
import { PAGE_FETCH_BACKOFF, pageFetchJobId, type PageFetchJob } from '../page-fetch.job';

/** Attempts and backoff are configuration: set once on the queue (`QueueModule.registerQueue`). */
export function pageFetchJobOptions(
  config: Pick<EnrichmentConfig, 'PAGE_FETCH_ATTEMPTS' | 'PAGE_FETCH_BACKOFF_MS'>,
): JobsOptions {
  return {
    attempts: config.PAGE_FETCH_ATTEMPTS,
    backoff: { type: PAGE_FETCH_BACKOFF, delay: config.PAGE_FETCH_BACKOFF_MS },
  };
}

/** The priority travels in the item's data, so the stages after this one keep the lane too. */
function inBulkLane(job: PageFetchJob): PageFetchJob {
  return { ...job, received: { ...job.received, priority: 'bulk' } };
}

@Injectable()
export class PageFetchQueueRepository {
  constructor(@InjectQueue(QueueName.PageFetch) private readonly queue: Queue<PageFetchJob>) {}

  /** A job whose id still exists (waiting, active or retained) is not added again. */
  async add(job: PageFetchJob): Promise<void> {
    await this.queue.add(QueueName.PageFetch, job, {
      jobId: pageFetchJobId(job.itemId, job.revision),
      ...laneJobOptions(job.received.priority),
    });
  }

  /**
   * While one re-link of the item is still pending, further ones are dropped (BullMQ deduplication).
   * A catalogue change re-links many items at once: bulk work, down to the image render.
   */
  async addRelink(job: PageFetchJob, options: { delayMs: number }): Promise<void> {
    await this.queue.add(QueueName.PageFetch, inBulkLane(job), {
      jobId: `relink_${job.itemId}_${randomUUID()}`,
      delay: options.delayMs,
      deduplication: { id: `relink_${job.itemId}` },
      ...laneJobOptions('bulk'),
    });
  }

  /**
   * A new job every run (its id names the run), so an item re-extracted before runs again. Bulk
   * work, down to the image render.
   */
  async addReextract(job: PageFetchJob, runId: string): Promise<string> {
    const jobId = `reextract_${job.itemId}_${job.revision}_${runId}`;
    await this.queue.add(QueueName.PageFetch, inBulkLane(job), {
      jobId,
      ...laneJobOptions('bulk'),
    });
    return jobId;
  }

  /** Where a job stands: its outcome once it finished. */
  async stateOf(
    jobId: string,
  ): Promise<{ state: string; outcome?: { kind: string }; failedReason?: string } | undefined> {
    const job = await this.queue.getJob(jobId);
    if (!job) return undefined;
    return {
      state: await job.getState(),
      outcome: job.returnvalue as { kind: string } | undefined,
      failedReason: job.failedReason,
    };
  }
}
