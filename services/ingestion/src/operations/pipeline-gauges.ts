import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { pipelineGauge } from '@curation/platform';
import { consumerLag, queueCounts, type CountedQueue, type LagAdmin } from '@curation/operations';

/** Often enough for a 15–30 s scrape interval; each refresh is one Redis and a few Kafka round trips. */
export const DEFAULT_GAUGE_REFRESH_MS = 15_000;

const queueJobs = pipelineGauge({
  name: 'curation_queue_jobs',
  help: 'BullMQ jobs by queue and state, as of the last refresh',
  labelNames: ['queue', 'state'] as const,
});

const consumerLagMessages = pipelineGauge({
  name: 'curation_consumer_lag_messages',
  help: 'Messages published and not yet committed, by consumer group and topic, as of the last refresh',
  labelNames: ['group', 'topic'] as const,
});

const refreshedAt = pipelineGauge({
  name: 'curation_pipeline_gauges_refreshed_timestamp_seconds',
  help: 'When the queue and consumer-lag gauges were last read, by source (queues, kafka)',
  labelNames: ['source'] as const,
});

/**
 * Queue depths and consumer lag, read on an interval and cached: a scrape (or several
 * Prometheus replicas scraping) costs no Redis or Kafka call. A source that cannot be read
 * drops its series until it can, rather than showing old figures as current.
 */
export class PipelineGauges implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PipelineGauges.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly queues: readonly CountedQueue[],
    private readonly admin: LagAdmin & { disconnect?: () => Promise<void> },
    private readonly groupPrefix: string,
    private readonly refreshMs = DEFAULT_GAUGE_REFRESH_MS,
  ) {}

  onApplicationBootstrap(): void {
    this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
    await this.admin.disconnect?.();
  }

  start(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.refreshMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One refresh at a time: a slow broker never stacks them up. */
  refresh(): Promise<void> {
    this.running ??= Promise.all([this.readQueues(), this.readLag()])
      .then(() => undefined)
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  private async readQueues(): Promise<void> {
    try {
      const counts = await queueCounts(this.queues);
      queueJobs.reset();
      for (const [queue, byState] of Object.entries(counts)) {
        for (const [state, count] of Object.entries(byState))
          queueJobs.set({ queue, state }, count);
      }
      refreshedAt.setToCurrentTime({ source: 'queues' });
    } catch (error) {
      queueJobs.reset();
      this.logger.warn(`queue depths not read: ${(error as Error).message}`);
    }
  }

  private async readLag(): Promise<void> {
    try {
      const lags = await consumerLag(this.admin, this.groupPrefix);
      consumerLagMessages.reset();
      for (const { group, topic, lag } of lags) consumerLagMessages.set({ group, topic }, lag);
      refreshedAt.setToCurrentTime({ source: 'kafka' });
    } catch (error) {
      consumerLagMessages.reset();
      this.logger.warn(`consumer lag not read: ${(error as Error).message}`);
    }
  }
}
