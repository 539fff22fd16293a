import { Processor } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { QueueName } from '@curation/contracts';
import { APP_CONFIG, DrainingWorkerHost } from '@curation/platform';
import { DelayedError, type Job } from 'bullmq';
import type { ImageProcessingConfig } from '../config/image-processing.config';
import type { DeferredRenditionsJob } from '../image-render.job';
import { ImageRenditionsQueueRepository } from '../repositories/image-renditions-queue.repository';
import {
  DeferredRenditionsService,
  type DeferredOutcome,
} from '../services/deferred-renditions.service';

/** How long a slow job steps aside while items wait to go live. */
export const YIELD_MS = 1000;

/**
 * Low priority: while `image-render` has waiting jobs the job moves back to the delayed set
 * (no attempt spent), so the slow formats never hold up an item going live. Not an
 * `ItemStageWorker`: the item is already published, so a failure here never fails the item; it
 * stays on the queue's failed list and the document keeps its JPEGs.
 */
@Processor(QueueName.ImageRenditions, { autorun: false })
export class ImageRenditionsProcessor extends DrainingWorkerHost implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ImageProcessingConfig,
    @Inject(DeferredRenditionsService) private readonly service: DeferredRenditionsService,
    @Inject(ImageRenditionsQueueRepository) private readonly queue: ImageRenditionsQueueRepository,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.IMAGE_DEFERRED_CONCURRENCY;
    void this.worker.run();
  }

  async process(job: Job<DeferredRenditionsJob>, token?: string): Promise<DeferredOutcome> {
    if ((await this.queue.hotBacklog()) > 0) {
      await job.moveToDelayed(Date.now() + YIELD_MS, token);
      throw new DelayedError();
    }
    return this.service.render(job.data);
  }
}
