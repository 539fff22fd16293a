import {
  DynamicModule,
  Inject,
  Logger,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ALL_QUEUES } from '@curation/contracts';
import { KAFKA_CLIENT } from '@curation/kafka';
import { REDIS_CLIENT } from '@curation/redis';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import { ItemOperationsService } from './item-operations.service';
import { ItemStatusController } from './item-status.controller';
import { ItemStatusRepository } from './item-status.repository';
import { ItemStatusService } from './item-status.service';
import { OPERATIONS_OPTIONS, PIPELINE_QUEUES, type OperationsOptions } from './operations.options';
import { PipelineGauges } from './pipeline-gauges';
import { PipelineJobsRepository } from './pipeline-jobs.repository';
import { QUEUE_DASHBOARD_PATH, queueDashboard } from './queue-dashboard';

/**
 * What operators use, served by ingestion: item status built from the events, retry and
 * takedown, the queue dashboard, and pipeline-wide gauges (queue depths, consumer lag).
 */
@Module({})
export class OperationsModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(OperationsModule.name);

  constructor(
    @Inject(OPERATIONS_OPTIONS) private readonly options: OperationsOptions,
    @Inject(PIPELINE_QUEUES) private readonly queues: Queue[],
    private readonly httpAdapterHost: HttpAdapterHost,
  ) {}

  static forRoot(options: OperationsOptions): DynamicModule {
    return {
      module: OperationsModule,
      controllers: [ItemStatusController],
      providers: [
        { provide: OPERATIONS_OPTIONS, useValue: options },
        {
          provide: PIPELINE_QUEUES,
          // On the service's Redis client: BullMQ leaves a client it was given open.
          useFactory: (redis: Redis) =>
            ALL_QUEUES.map(
              (name) => new Queue(name, { connection: redis, prefix: options.queuePrefix }),
            ),
          inject: [REDIS_CLIENT],
        },
        ItemStatusRepository,
        ItemStatusService,
        PipelineJobsRepository,
        ItemOperationsService,
        {
          provide: PipelineGauges,
          inject: [PIPELINE_QUEUES, KAFKA_CLIENT],
          useFactory: async (queues: Queue[], kafka: Kafka) => {
            const admin = kafka.admin();
            await admin.connect();
            return new PipelineGauges(
              queues,
              admin,
              options.consumerGroupPrefix,
              options.gaugeRefreshMs,
            );
          },
        },
      ],
      exports: [ItemStatusService],
    };
  }

  onModuleInit(): void {
    for (const queue of this.queues) {
      // Redis outages surface through /health/ready; one line per error is enough here.
      queue.on('error', (error) => this.logger.warn(`queue ${queue.name}: ${error.message}`));
    }
    const { admin } = this.options;
    if (admin) {
      this.httpAdapterHost.httpAdapter
        .getInstance()
        .use(QUEUE_DASHBOARD_PATH, ...queueDashboard(this.queues, admin.user, admin.password));
    } else {
      this.logger.warn(
        `no ADMIN_PASSWORD: the queue dashboard ${QUEUE_DASHBOARD_PATH} is not served`,
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.queues.map((queue) => queue.close()));
  }
}
