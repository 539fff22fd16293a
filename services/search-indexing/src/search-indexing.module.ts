import { DynamicModule, Module } from '@nestjs/common';
import { KafkaModule, kafkaOptionsFrom } from '@curation/kafka';
import { AppConfigModule, PlatformModule } from '@curation/platform';
import { SearchClientModule } from '@curation/search';
import { StorageModule } from '@curation/storage';
import { resolveContentTypes } from './config/content-types.config';
import type { SearchIndexingConfig } from './config/search-indexing.config';
import { SearchController } from './controllers/search.controller';
import { SearchIndexRepository } from './repositories/search-index.repository';
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
        SearchClientModule.forRoot({ url: config.OPENSEARCH_URL }),
        StorageModule.forRoot(config),
      ],
      controllers: [SearchController],
      providers: [
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
      ],
    };
  }
}
