import { DynamicModule, Module } from '@nestjs/common';
import { KafkaModule, kafkaOptionsFrom } from '@curation/kafka';
import { OperationsModule } from '@curation/operations';
import { AppConfigModule, PlatformModule } from '@curation/platform';
import { APP_GUARD } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import type { IngestionConfig } from './config/ingestion.config';
import { OpenProjectWebhookConsumer } from './consumers/openproject-webhook.consumer';
import { OpenProjectWebhookController } from './controllers/openproject-webhook.controller';
import { ReconcileController } from './controllers/reconcile.controller';
import { SubmissionController } from './controllers/submission.controller';
import { ApiTokenGuard } from './guards/api-token.guard';
import { ItemStateRepository } from './repositories/item-state.repository';
import {
  OPENPROJECT_CLIENT,
  OpenProjectRepository,
  createOpenProjectClient,
} from './repositories/openproject.repository';
import { RedisLifecycle, redisClientProvider } from './repositories/redis.provider';
import { OpenProjectStartupCheck } from './services/openproject-startup-check.service';
import { ReconciliationScheduler } from './services/reconciliation.scheduler';
import { ReconciliationService } from './services/reconciliation.service';
import { SubmissionService } from './services/submission.service';
import { WebhookIntakeService } from './services/webhook-intake.service';
import { WorkPackageResolverService } from './services/work-package-resolver.service';
import { PublishRuleService } from './services/publish-rule.service';
import { WorkPackageItemRepository } from './repositories/work-package-item.repository';
import { writeBackProviders } from './write-back/write-back.providers';

export const SERVICE_NAME = 'ingestion';

@Module({})
export class IngestionModule {
  static forRoot(config: IngestionConfig): DynamicModule {
    return {
      module: IngestionModule,
      imports: [
        AppConfigModule.forRoot(config),
        PlatformModule.forRoot({ serviceName: SERVICE_NAME, logLevel: config.LOG_LEVEL }),
        KafkaModule.forRootAsync({ useFactory: () => kafkaOptionsFrom(config, SERVICE_NAME) }),
        ScheduleModule.forRoot(),
        OperationsModule.forRoot({
          redisUrl: config.REDIS_URL,
          queuePrefix: config.QUEUE_PREFIX,
          admin: config.ADMIN_PASSWORD
            ? { user: config.ADMIN_USER, password: config.ADMIN_PASSWORD }
            : undefined,
          consumerGroupPrefix: config.KAFKA_CLIENT_ID_PREFIX,
        }),
      ],
      controllers: [OpenProjectWebhookController, SubmissionController, ReconcileController],
      providers: [
        redisClientProvider,
        RedisLifecycle,
        { provide: OPENPROJECT_CLIENT, useFactory: () => createOpenProjectClient(config) },
        OpenProjectRepository,
        ItemStateRepository,
        // Global: the status routes of OperationsModule are `/v1/*` routes too.
        { provide: APP_GUARD, useClass: ApiTokenGuard },
        WebhookIntakeService,
        WorkPackageResolverService,
        SubmissionService,
        ReconciliationService,
        ReconciliationScheduler,
        OpenProjectStartupCheck,
        OpenProjectWebhookConsumer,
        WorkPackageItemRepository,
        PublishRuleService,
        ...writeBackProviders,
      ],
    };
  }
}
