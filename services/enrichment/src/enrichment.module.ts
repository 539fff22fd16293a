import { DynamicModule, Module } from '@nestjs/common';
import { QueueName } from '@curation/contracts';
import { KafkaModule, kafkaOptionsFrom } from '@curation/kafka';
import { AppConfigModule, PlatformModule } from '@curation/platform';
import { QueueModule } from '@curation/queue';
import { hostThrottleProvider, RedisModule } from '@curation/redis';
import { SearchClientModule } from '@curation/search';
import { StorageModule } from '@curation/storage';
import type { EnrichmentConfig } from './config/enrichment.config';
import { PageFetchProcessor } from './processors/page-fetch.processor';
import { ArticleClaimRepository } from './repositories/article-claim.repository';
import { ItemLinkRepository } from './repositories/item-link.repository';
import { OfferingRepository } from './repositories/offering.repository';
import { PageExtractionRepository } from './repositories/page-extraction.repository';
import {
  PageFetchQueueRepository,
  pageFetchJobOptions,
} from './repositories/page-fetch-queue.repository';
import { PageRepository } from './repositories/page.repository';
import { RawPageRepository } from './repositories/raw-page.repository';
import { EnrichmentService } from './services/enrichment.service';
import { OfferingService } from './services/offering.service';

export const SERVICE_NAME = 'enrichment';

@Module({})
export class EnrichmentModule {
  static forRoot(config: EnrichmentConfig): DynamicModule {
    return {
      module: EnrichmentModule,
      imports: [
        AppConfigModule.forRoot(config),
        PlatformModule.forRoot({ serviceName: SERVICE_NAME, logLevel: config.LOG_LEVEL }),
        KafkaModule.forRootAsync({ useFactory: () => kafkaOptionsFrom(config, SERVICE_NAME) }),
        RedisModule.forRoot({ url: config.REDIS_URL, connectionName: SERVICE_NAME }),
        SearchClientModule.forRoot({ url: config.OPENSEARCH_URL }),
        StorageModule.forRoot(config),
        QueueModule.forRoot({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX }),
        QueueModule.registerQueue(QueueName.PageFetch, pageFetchJobOptions(config)),
      ],
      providers: [
        hostThrottleProvider(`${config.QUEUE_PREFIX}:page-fetch:host:`),
        PageRepository,
        RawPageRepository,
        ArticleClaimRepository,
        PageExtractionRepository,
        PageFetchQueueRepository,
        OfferingRepository,
        ItemLinkRepository,
        EnrichmentService,
        OfferingService,
        PageFetchProcessor,
      ],
    };
  }
}
