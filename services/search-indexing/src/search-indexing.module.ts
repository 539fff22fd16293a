import { DynamicModule, Module } from '@nestjs/common';
import { KafkaModule, kafkaOptionsFrom } from '@curation/kafka';
import { AppConfigModule, PlatformModule } from '@curation/platform';
import { createOpenSearchClient } from '@curation/search';
import { createS3Client, ObjectStorageRepository } from '@curation/storage';
import { resolveContentTypes } from './config/content-types.config';
import type { SearchIndexingConfig } from './config/search-indexing.config';
import { ItemImagedConsumer } from './consumers/item-imaged.consumer';
import { ItemRemovedConsumer } from './consumers/item-removed.consumer';
import { SearchController } from './controllers/search.controller';
import { OPENSEARCH_CLIENT, SearchIndexRepository } from './repositories/search-index.repository';
import { IndexingService } from './services/indexing.service';
import {
  CONTENT_TYPE_SETTINGS,
  PublishedDocumentService,
} from './services/published-document.service';
import { SearchIndexSetupService } from './services/search-index-setup.service';
import { SearchService } from './services/search.service';
import { StartupService } from './services/startup.service';

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
      controllers: [SearchController],
      providers: [
        {
          provide: OPENSEARCH_CLIENT,
          useFactory: () => createOpenSearchClient(config.OPENSEARCH_URL),
        },
        {
          provide: ObjectStorageRepository,
          useFactory: () => new ObjectStorageRepository(createS3Client(config), config.S3_BUCKET),
        },
        {
          provide: CONTENT_TYPE_SETTINGS,
          useValue: resolveContentTypes(
            config.SEARCH_CONTENT_TYPE_OVERRIDES,
            config.CONTENT_TYPES_FILE,
          ),
        },
        SearchIndexRepository,
        PublishedDocumentService,
        SearchIndexSetupService,
        IndexingService,
        SearchService,
        StartupService,
        ItemImagedConsumer,
        ItemRemovedConsumer,
      ],
    };
  }
}
