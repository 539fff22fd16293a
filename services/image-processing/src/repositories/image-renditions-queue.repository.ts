import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { QueueName } from '@curation/contracts';
import type { Queue } from 'bullmq';
import type { DeferredRenditionsJob } from '../image-render.job';

@Injectable()
export class ImageRenditionsQueueRepository {
  constructor(
    @InjectQueue(QueueName.ImageRenditions) private readonly queue: Queue<DeferredRenditionsJob>,
    @InjectQueue(QueueName.ImageRender) private readonly hotQueue: Queue,
  ) {}

  /**
   * Delayed until promoted. A job of that id still waiting or running is kept; a finished one
   * for another source (the same revision run again with a new image) is replaced.
   */
  async add(jobId: string, job: DeferredRenditionsJob, delayMs: number): Promise<void> {
    const existing = await this.queue.getJob(jobId);
    if (existing && existing.data.sourceSha256 !== job.sourceSha256 && existing.finishedOn) {
      await existing.remove();
    }
    await this.queue.add(QueueName.ImageRenditions, job, { jobId, delay: delayMs });
  }

  /** Runs a delayed job now; a job already running, finished or gone is left alone. */
  async promote(jobId: string): Promise<void> {
    const job = await this.queue.getJob(jobId);
    if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
  }

  /** Items waiting to go live, bulk ones too: while there are any, the slow renditions wait. */
  hotBacklog(): Promise<number> {
    return this.hotQueue.getJobCountByTypes('waiting', 'prioritized');
  }
}
