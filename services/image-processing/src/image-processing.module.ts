import { DynamicModule, Module } from '@nestjs/common';
import { KafkaModule, kafkaOptionsFrom } from '@curation/kafka';
import { AppConfigModule, PlatformModule } from '@curation/platform';
import type { ImageProcessingConfig } from './config/image-processing.config';

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
      ],
    };
  }
}
