import { Processor } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { QueueName, type FeaturedImage } from '@curation/contracts';
import { ItemStageWorker, type JobAttempt } from '@curation/kafka';
import { APP_CONFIG } from '@curation/platform';
import type { Job } from 'bullmq';
import type { ImageProcessingConfig } from '../config/image-processing.config';
import type { ImageRenderJob } from '../image-render.job';
import { ImageProcessingService } from '../services/image-processing.service';

// Started by hand once every module is initialised (bucket ensured, Kafka producer connected).
@Processor(QueueName.ImageRender, { autorun: false })
export class ImageRenderProcessor
  extends ItemStageWorker<ImageRenderJob, FeaturedImage>
  implements OnApplicationBootstrap
{
  protected readonly stage = 'image-processing';

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

  protected run(job: Job<ImageRenderJob>, attempt: JobAttempt): Promise<FeaturedImage> {
    return this.service.render(job.data, attempt);
  }
}
