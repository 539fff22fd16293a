import { Processor } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { QueueName, type FeaturedImage } from '@curation/contracts';
import { APP_CONFIG, DrainingWorkerHost } from '@curation/platform';
import type { Job } from 'bullmq';
import type { ImageProcessingConfig } from '../config/image-processing.config';
import type { ImageRenderJob } from '../image-render.job';
import { ImageProcessingService } from '../services/image-processing.service';

// Started by hand once every module is initialised (bucket ensured, Kafka producer connected).
@Processor(QueueName.ImageRender, { autorun: false })
export class ImageRenderProcessor extends DrainingWorkerHost implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ImageProcessingConfig,
    @Inject(ImageProcessingService) private readonly service: ImageProcessingService,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.IMAGE_WORKER_CONCURRENCY;
    void this.worker.run();
  }

  process(job: Job<ImageRenderJob, FeaturedImage>): Promise<FeaturedImage> {
    return this.service.render(job.data, {
      attempt: job.attemptsMade + 1,
      maxAttempts: job.opts.attempts ?? 1,
    });
  }
}
