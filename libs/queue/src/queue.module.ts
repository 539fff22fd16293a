import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { queueJobOptions, type QueueName } from '@curation/contracts';
import { queueTelemetry } from '@curation/telemetry';
import type { JobsOptions, MinimalJob } from 'bullmq';

export interface QueueRootOptions {
  redisUrl: string;
  /** QUEUE_PREFIX: the Redis key prefix of every queue. */
  prefix: string;
}

/** BullMQ for a service: one Redis connection setting, the queue prefix and tracing. */
@Module({})
export class QueueModule {
  static forRoot(options: QueueRootOptions): DynamicModule {
    return BullModule.forRoot({
      // BullMQ blocks on Redis; it must not give up on a command while Redis restarts.
      connection: { url: options.redisUrl, maxRetriesPerRequest: null },
      prefix: options.prefix,
      telemetry: queueTelemetry(),
    });
  }

  /**
   * The queue with the contracts' job options as its defaults, so `add` passes only the job id;
   * `overrides` are options the service's configuration sets (attempts, backoff).
   */
  static registerQueue(name: QueueName, overrides: JobsOptions = {}): DynamicModule {
    return BullModule.registerQueue({ name, defaultJobOptions: jobOptionsOf(name, overrides) });
  }
}

export function jobOptionsOf(name: QueueName, overrides: JobsOptions = {}): JobsOptions {
  return { ...queueJobOptions[name], ...overrides };
}

/** BullMQ's exponential delay for a job: its configured base delay, doubled per attempt made. */
export function exponentialDelay(attemptsMade: number, job?: MinimalJob): number {
  const configured = job?.opts.backoff;
  const base = typeof configured === 'object' ? (configured.delay ?? 1000) : (configured ?? 1000);
  return base * 2 ** Math.max(0, attemptsMade - 1);
}
