import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { QueueName, queueJobOptions } from '@curation/contracts';
import { KafkaModule, kafkaOptionsFrom } from '@curation/kafka';
import { AppConfigModule, PlatformModule } from '@curation/platform';
import { createOpenSearchClient } from '@curation/search';
import { queueTelemetry } from '@curation/telemetry';
import type { EnrichmentConfig } from './config/enrichment.config';
import { ItemReceivedConsumer } from './consumers/item-received.consumer';
import { ItemRemovedConsumer } from './consumers/item-removed.consumer';
import { OfferingUpsertedConsumer } from './consumers/offering-upserted.consumer';
import { PageFetchProcessor } from './processors/page-fetch.processor';
import { ArticleClaimRepository } from './repositories/article-claim.repository';
import { HostThrottleRepository } from './repositories/host-throttle.repository';
import { ItemLinkRepository } from './repositories/item-link.repository';
import { OfferingRepository } from './repositories/offering.repository';
import { OPENSEARCH_CLIENT } from './repositories/opensearch.tokens';
import { PageExtractionRepository } from './repositories/page-extraction.repository';
import { PageFetchQueueRepository } from './repositories/page-fetch-queue.repository';
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
        BullModule.forRoot({
          // BullMQ blocks on Redis; it must not give up on a command while Redis restarts.
          connection: { url: config.REDIS_URL, maxRetriesPerRequest: null },
          prefix: config.QUEUE_PREFIX,
          telemetry: queueTelemetry(),
        }),
        BullModule.registerQueue({
          name: QueueName.PageFetch,
          defaultJobOptions: queueJobOptions[QueueName.PageFetch],
        }),
      ],
      providers: [
        {
          provide: OPENSEARCH_CLIENT,
          useFactory: () => createOpenSearchClient(config.OPENSEARCH_URL),
        },
        PageRepository,
        RawPageRepository,
        ArticleClaimRepository,
        PageExtractionRepository,
        PageFetchQueueRepository,
        HostThrottleRepository,
        OfferingRepository,
        ItemLinkRepository,
        EnrichmentService,
        OfferingService,
        ItemReceivedConsumer,
        ItemRemovedConsumer,
        OfferingUpsertedConsumer,
        PageFetchProcessor,
      ],
    };
  }
}
