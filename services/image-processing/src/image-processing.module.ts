import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { QueueName, queueJobOptions } from '@curation/contracts';
import { KafkaModule, kafkaOptionsFrom } from '@curation/kafka';
import { AppConfigModule, PlatformModule } from '@curation/platform';
import { queueTelemetry } from '@curation/telemetry';
import type { ImageProcessingConfig } from './config/image-processing.config';
import { ItemEnrichedConsumer } from './consumers/item-enriched.consumer';
import { ImageRenderProcessor } from './processors/image-render.processor';
import {
  ImageFetchRepository,
  SafeImageFetchRepository,
} from './repositories/image-fetch.repository';
import { ImageRenderQueueRepository } from './repositories/image-render-queue.repository';
import { ImageStorageRepository } from './repositories/image-storage.repository';
import { MediaRepository } from './repositories/media.repository';
import { HostThrottleRepository } from './repositories/host-throttle.repository';
import { ImageProcessingService } from './services/image-processing.service';

export const SERVICE_NAME = 'image-processing';

@Module({})
export class ImageProcessingModule {
  static forRoot(config: ImageProcessingConfig): DynamicModule {
    return {
      module: ImageProcessingModule,
      imports: [
        AppConfigModule.forRoot(config),
        PlatformModule.forRoot({ serviceName: SERVICE_NAME, logLevel: config.LOG_LEVEL }),
        KafkaModule.forRootAsync({ useFactory: () => kafkaOptionsFrom(config, SERVICE_NAME) }),
        BullModule.forRoot({
          // BullMQ blocks on Redis; it must not give up on a command while Redis restarts.
          connection: { url: config.REDIS_URL, maxRetriesPerRequest: null },
          prefix: config.QUEUE_PREFIX,
          telemetry: queueTelemetry(),
        }),
        BullModule.registerQueue({
          name: QueueName.ImageRender,
          defaultJobOptions: queueJobOptions[QueueName.ImageRender],
        }),
      ],
      providers: [
        { provide: ImageFetchRepository, useClass: SafeImageFetchRepository },
        HostThrottleRepository,
        MediaRepository,
        ImageStorageRepository,
        ImageRenderQueueRepository,
        ImageProcessingService,
        ItemEnrichedConsumer,
        ImageRenderProcessor,
      ],
    };
  }
}
