import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { QueueName, queueJobOptions } from '@curation/contracts';
import type { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { PAGE_FETCH_BACKOFF, pageFetchJobId, type PageFetchJob } from '../page-fetch.job';

export interface PageFetchQueueOptions {
  attempts: number;
  backoffMs: number;
}

@Injectable()
export class PageFetchQueueRepository {
  constructor(@InjectQueue(QueueName.PageFetch) private readonly queue: Queue<PageFetchJob>) {}

  /** A job whose id still exists (waiting, active or retained) is not added again. */
  async add(job: PageFetchJob, options: PageFetchQueueOptions): Promise<void> {
    await this.queue.add(QueueName.PageFetch, job, {
      ...this.jobOptions(options),
      jobId: pageFetchJobId(job.itemId, job.revision),
    });
  }

  /** While one re-link of the item is still pending, further ones are dropped (BullMQ deduplication). */
  async addRelink(
    job: PageFetchJob,
    options: PageFetchQueueOptions & { delayMs: number },
  ): Promise<void> {
    await this.queue.add(QueueName.PageFetch, job, {
      ...this.jobOptions(options),
      jobId: `relink_${job.itemId}_${randomUUID()}`,
      delay: options.delayMs,
      deduplication: { id: `relink_${job.itemId}` },
    });
  }

  /** A new job every run (its id names the run), so an item re-extracted before runs again. */
  async addReextract(
    job: PageFetchJob,
    runId: string,
    options: PageFetchQueueOptions,
  ): Promise<string> {
    const jobId = `reextract_${job.itemId}_${job.revision}_${runId}`;
    await this.queue.add(QueueName.PageFetch, job, { ...this.jobOptions(options), jobId });
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

  async ping(): Promise<void> {
    await this.queue.getWaitingCount();
  }

  private jobOptions(options: PageFetchQueueOptions) {
    return {
      ...queueJobOptions[QueueName.PageFetch],
      attempts: options.attempts,
      backoff: { type: PAGE_FETCH_BACKOFF, delay: options.backoffMs },
    };
  }
}
