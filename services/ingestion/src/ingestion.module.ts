import { DynamicModule, Module } from '@nestjs/common';
import { QueueName } from '@curation/contracts';
import { KafkaModule, kafkaOptionsFrom } from '@curation/kafka';
import { AppConfigModule, PlatformModule } from '@curation/platform';
import { QueueModule } from '@curation/queue';
import { RedisModule } from '@curation/redis';
import { APP_GUARD } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import type { IngestionConfig } from './config/ingestion.config';
import { OpenProjectWebhookController } from './controllers/openproject-webhook.controller';
import { ReconcileController } from './controllers/reconcile.controller';
import { SubmissionController } from './controllers/submission.controller';
import { ApiTokenGuard } from './guards/api-token.guard';
import { OperationsModule } from './operations/operations.module';
import { ItemStateRepository } from './repositories/item-state.repository';
import {
  OPENPROJECT_CLIENT,
  OpenProjectRepository,
  createOpenProjectClient,
} from './repositories/openproject.repository';
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
        RedisModule.forRoot({ url: config.REDIS_URL, connectionName: SERVICE_NAME }),
        QueueModule.forRoot({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX }),
        QueueModule.registerQueue(QueueName.OpenProjectWriteBack),
        OperationsModule.forRoot({
          queuePrefix: config.QUEUE_PREFIX,
          admin: config.ADMIN_PASSWORD
            ? { user: config.ADMIN_USER, password: config.ADMIN_PASSWORD }
            : undefined,
          consumerGroupPrefix: config.KAFKA_CLIENT_ID_PREFIX,
        }),
      ],
      controllers: [OpenProjectWebhookController, SubmissionController, ReconcileController],
      providers: [
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
        WorkPackageItemRepository,
        PublishRuleService,
        ...writeBackProviders,
      ],
    };
  }
}
