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
import { ReadinessRegistry } from '@curation/platform';
import { Queue } from 'bullmq';
import IORedis, { type Redis } from 'ioredis';
import type { Admin, Kafka } from 'kafkajs';
import { ItemOperationsService } from './item-operations.service';
import { ItemStatusConsumer } from './item-status.consumer';
import { ItemStatusController } from './item-status.controller';
import { ItemStatusRepository, OPERATIONS_REDIS } from './item-status.repository';
import { ItemStatusService } from './item-status.service';
import { OPERATIONS_OPTIONS, PIPELINE_QUEUES, type OperationsOptions } from './operations.options';
import { PipelineJobsRepository } from './pipeline-jobs.repository';
import { PipelineGauges } from './pipeline-gauges';
import { QUEUE_DASHBOARD_PATH, queueDashboard } from './queue-dashboard';

/**
 * What operators use, served by one service (ingestion): item status built from the events,
 * the queue dashboard, and pipeline-wide gauges (queue depths, consumer lag).
 */
@Module({})
export class OperationsModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(OperationsModule.name);
  private kafkaAdmin?: Admin;
  private gauges?: PipelineGauges;

  constructor(
    @Inject(OPERATIONS_OPTIONS) private readonly options: OperationsOptions,
    @Inject(OPERATIONS_REDIS) private readonly redis: Redis,
    @Inject(PIPELINE_QUEUES) private readonly queues: Queue[],
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    private readonly httpAdapterHost: HttpAdapterHost,
    private readonly readiness: ReadinessRegistry,
  ) {}

  static forRoot(options: OperationsOptions): DynamicModule {
    return {
      module: OperationsModule,
      controllers: [ItemStatusController],
      providers: [
        { provide: OPERATIONS_OPTIONS, useValue: options },
        {
          provide: OPERATIONS_REDIS,
          useFactory: () => new IORedis(options.redisUrl, { maxRetriesPerRequest: null }),
        },
        {
          provide: PIPELINE_QUEUES,
          useFactory: (redis: Redis) =>
            ALL_QUEUES.map(
              (name) => new Queue(name, { connection: redis, prefix: options.queuePrefix }),
            ),
          inject: [OPERATIONS_REDIS],
        },
        ItemStatusRepository,
        ItemStatusService,
        ItemStatusConsumer,
        PipelineJobsRepository,
        ItemOperationsService,
      ],
      exports: [ItemStatusService],
    };
  }

  async onModuleInit(): Promise<void> {
    for (const queue of this.queues) {
      // Redis outages surface through /health/ready; one line per error is enough here.
      queue.on('error', (error) => this.logger.warn(`queue ${queue.name}: ${error.message}`));
    }
    this.readiness.register('redis', async () => {
      await this.redis.ping();
    });
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
    this.kafkaAdmin = this.kafka.admin();
    await this.kafkaAdmin.connect();
    this.gauges = new PipelineGauges(
      this.queues,
      this.kafkaAdmin,
      this.options.consumerGroupPrefix,
      this.options.gaugeRefreshMs,
    );
    this.gauges.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.gauges?.stop();
    await Promise.all(this.queues.map((queue) => queue.close()));
    await this.kafkaAdmin?.disconnect();
    await this.redis.quit();
  }
}
