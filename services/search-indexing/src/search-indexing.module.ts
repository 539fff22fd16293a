import { DynamicModule, Module } from '@nestjs/common';
import { KafkaModule, kafkaOptionsFrom } from '@curation/kafka';
import { AppConfigModule, PlatformModule } from '@curation/platform';
import type { SearchIndexingConfig } from './config/search-indexing.config';

export const SERVICE_NAME = 'search-indexing';

@Module({})
export class SearchIndexingModule {
  static forRoot(config: SearchIndexingConfig): DynamicModule {
    return {
      module: SearchIndexingModule,
      imports: [
        AppConfigModule.forRoot(config),
        PlatformModule.forRoot({ serviceName: SERVICE_NAME, logLevel: config.LOG_LEVEL }),
        KafkaModule.forRootAsync({ useFactory: () => kafkaOptionsFrom(config, SERVICE_NAME) }),
      ],
    };
  }
}
