import { DynamicModule, Module } from '@nestjs/common';
import { QueueName } from '@curation/contracts';
import { KafkaModule, kafkaOptionsFrom } from '@curation/kafka';
import { AppConfigModule, PlatformModule } from '@curation/platform';
import { QueueModule } from '@curation/queue';
import { hostThrottleProvider, RedisModule } from '@curation/redis';
import { StorageModule } from '@curation/storage';
import type { ImageProcessingConfig } from './config/image-processing.config';
import { ImageRenderProcessor } from './processors/image-render.processor';
import { ImageRenditionsProcessor } from './processors/image-renditions.processor';
import {
  ImageFetchRepository,
  SafeImageFetchRepository,
} from './repositories/image-fetch.repository';
import { ImageRenderQueueRepository } from './repositories/image-render-queue.repository';
import { ImageRenditionsQueueRepository } from './repositories/image-renditions-queue.repository';
import { ImageStorageRepository } from './repositories/image-storage.repository';
import { MediaRepository } from './repositories/media.repository';
import { DeferredRenditionsService } from './services/deferred-renditions.service';
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
        RedisModule.forRoot({ url: config.REDIS_URL, connectionName: SERVICE_NAME }),
        StorageModule.forRoot(config),
        QueueModule.forRoot({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX }),
        QueueModule.registerQueue(QueueName.ImageRender),
        QueueModule.registerQueue(QueueName.ImageRenditions),
      ],
      providers: [
        { provide: ImageFetchRepository, useClass: SafeImageFetchRepository },
        hostThrottleProvider(`${config.QUEUE_PREFIX}:image-fetch:host:`),
        MediaRepository,
        ImageStorageRepository,
        ImageRenderQueueRepository,
        ImageProcessingService,
        ImageRenderProcessor,
        ImageRenditionsQueueRepository,
        DeferredRenditionsService,
        ImageRenditionsProcessor,
      ],
    };
  }
}
