import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { QueueName, laneJobOptions, type FeaturedImage } from '@curation/contracts';
import type { Queue } from 'bullmq';
import type { ImageRenderJob } from '../image-render.job';

@Injectable()
export class ImageRenderQueueRepository {
  constructor(
    @InjectQueue(QueueName.ImageRender)
    private readonly queue: Queue<ImageRenderJob, FeaturedImage>,
  ) {}

  /** A job whose id still exists (waiting, active or retained) is not added again. */
  async add(jobId: string, job: ImageRenderJob): Promise<void> {
    await this.queue.add(QueueName.ImageRender, job, {
      jobId,
      ...laneJobOptions(job.data.priority),
    });
  }
}
