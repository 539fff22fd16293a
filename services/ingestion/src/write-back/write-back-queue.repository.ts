import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { QueueName, queueJobOptions } from '@curation/contracts';
import { APP_CONFIG } from '@curation/platform';
import { queueTelemetry } from '@curation/telemetry';
import { Queue, Worker, type MinimalJob, type Processor } from 'bullmq';
import { Redis } from 'ioredis';
import type { IngestionConfig } from '../config/ingestion.config';
import { writeBackJobId, type WriteBackJob } from './write-back.job';

/** The `openproject-write-back` BullMQ queue: jobs are added here, posted by its worker. */
@Injectable()
export class WriteBackQueueRepository implements OnApplicationShutdown {
  private readonly logger = new Logger(WriteBackQueueRepository.name);
  // BullMQ blocks on Redis; it must not give up on a command while Redis restarts.
  private readonly connection: Redis;
  private readonly queue: Queue<WriteBackJob>;
  private worker?: Worker<WriteBackJob>;
  private workerConnection?: Redis;

  constructor(@Inject(APP_CONFIG) private readonly config: IngestionConfig) {
    this.connection = new Redis(config.REDIS_URL, {
      connectionName: 'ingestion-write-back',
      maxRetriesPerRequest: null,
    });
    this.queue = new Queue(QueueName.OpenProjectWriteBack, {
      connection: this.connection,
      prefix: config.QUEUE_PREFIX,
      telemetry: queueTelemetry(),
      defaultJobOptions: queueJobOptions[QueueName.OpenProjectWriteBack],
    });
    this.queue.on('error', (error) => this.logger.warn(`write-back queue: ${error.message}`));
  }

  /** A job whose id still exists (waiting, delayed, active or retained) is not added again. */
  async add(job: WriteBackJob): Promise<void> {
    await this.queue.add(QueueName.OpenProjectWriteBack, job, {
      jobId: writeBackJobId(job.itemId, job.revision, job.outcome),
    });
  }

  startWorker(process: Processor<WriteBackJob>, concurrency: number): void {
    this.workerConnection = this.connection.duplicate({ maxRetriesPerRequest: null });
    this.worker = new Worker(QueueName.OpenProjectWriteBack, process, {
      connection: this.workerConnection,
      prefix: this.config.QUEUE_PREFIX,
      concurrency,
      settings: { backoffStrategy: writeBackBackoff },
      telemetry: queueTelemetry(),
    });
    this.worker.on('error', (error) => this.logger.warn(`write-back worker: ${error.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    await this.workerConnection?.quit().catch(() => this.workerConnection?.disconnect());
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}

/** Doubling from the job's delay, at most a minute apart: OpenProject is polled about once a minute while away. */
export function writeBackBackoff(
  attemptsMade: number,
  _type?: string,
  _error?: Error,
  job?: MinimalJob,
): number {
  const configured = job?.opts.backoff;
  const base = typeof configured === 'object' ? (configured.delay ?? 1000) : (configured ?? 1000);
  return Math.min(base * 2 ** Math.max(0, attemptsMade - 1), 60000);
}
