import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { QueueName } from '@curation/contracts';
import { exponentialDelay } from '@curation/queue';
import { Queue, Worker, type MinimalJob, type Processor } from 'bullmq';
import { writeBackJobId, type WriteBackJob } from './write-back.job';

/** The `openproject-write-back` BullMQ queue: jobs are added here, posted by its worker. */
@Injectable()
export class WriteBackQueueRepository implements OnApplicationShutdown {
  private readonly logger = new Logger(WriteBackQueueRepository.name);
  private worker?: Worker<WriteBackJob>;

  constructor(
    @InjectQueue(QueueName.OpenProjectWriteBack) private readonly queue: Queue<WriteBackJob>,
  ) {
    this.queue.on('error', (error) => this.logger.warn(`write-back queue: ${error.message}`));
  }

  /** A job whose id still exists (waiting, delayed, active or retained) is not added again. */
  async add(job: WriteBackJob): Promise<void> {
    await this.queue.add(QueueName.OpenProjectWriteBack, job, {
      jobId: writeBackJobId(job.itemId, job.revision, job.outcome),
    });
  }

  /** Started by hand (not `@Processor`): the worker runs only when write-back is configured. */
  startWorker(process: Processor<WriteBackJob>, concurrency: number): void {
    const { connection, prefix, telemetry } = this.queue.opts;
    this.worker = new Worker(QueueName.OpenProjectWriteBack, process, {
      connection,
      prefix,
      telemetry,
      concurrency,
      settings: { backoffStrategy: writeBackBackoff },
    });
    this.worker.on('error', (error) => this.logger.warn(`write-back worker: ${error.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}

/** Doubling from the job's delay, at most a minute apart: OpenProject is polled about once a minute while away. */
export function writeBackBackoff(
  attemptsMade: number,
  _type?: string,
  _error?: Error,
  job?: MinimalJob,
): number {
  return Math.min(exponentialDelay(attemptsMade, job), 60000);
}
