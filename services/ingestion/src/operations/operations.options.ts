export interface OperationsOptions {
  /** BullMQ key prefix of the pipeline's queues. */
  queuePrefix: string;
  /** Credentials of the queue dashboard; without them it is not served. */
  admin?: { user: string; password: string };
  /** Consumer groups whose lag /metrics reports (`<prefix>.`). */
  consumerGroupPrefix: string;
  /** How often queue depths and consumer lag are read for /metrics (default 15 s). */
  gaugeRefreshMs?: number;
  /** How long the input of each stage is kept for a retry (default 7 days). */
  retryInputTtlMs?: number;
}

export const OPERATIONS_OPTIONS = Symbol('OPERATIONS_OPTIONS');
export const PIPELINE_QUEUES = Symbol('PIPELINE_QUEUES');
