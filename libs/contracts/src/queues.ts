import type { JobsOptions } from 'bullmq';

/** Every BullMQ queue of the pipeline, with its job options, defined once. */
export const QueueName = {
  PageFetch: 'page-fetch',
  ImageRender: 'image-render',
} as const;

export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const ALL_QUEUES: readonly QueueName[] = Object.values(QueueName);

export const queueJobOptions: Record<QueueName, JobsOptions> = {
  [QueueName.PageFetch]: {
    attempts: 5,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { age: 24 * 3600, count: 10000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
  [QueueName.ImageRender]: {
    attempts: 3,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { age: 24 * 3600, count: 10000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
};
