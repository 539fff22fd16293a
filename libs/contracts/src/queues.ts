import type { JobsOptions } from 'bullmq';
import type { ItemPriority } from './events/item-received.event';

/** Every BullMQ queue of the pipeline, with its job options, defined once. */
export const QueueName = {
  PageFetch: 'page-fetch',
  ImageRender: 'image-render',
  /** The slow renditions (WebP, AVIF) of an item already imaged: low priority, after the fact. */
  ImageRenditions: 'image-renditions',
  /** Comments ingestion adds to work packages (published, failed, removed). */
  OpenProjectWriteBack: 'openproject-write-back',
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
  [QueueName.ImageRenditions]: {
    attempts: 3,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { age: 24 * 3600, count: 10000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
  // Attempts are bounded by a time budget checked by the worker (OpenProject may be away long);
  // its own backoff strategy doubles from `delay` up to a minute.
  [QueueName.OpenProjectWriteBack]: {
    attempts: 1000,
    backoff: { type: 'write-back', delay: 1000 },
    removeOnComplete: { age: 24 * 3600, count: 10000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
};

/**
 * The lane of an item's jobs: BullMQ takes every waiting job without a priority before any job
 * with one (delayed and retried jobs keep theirs), so bulk work runs only while no live item waits.
 */
export function laneJobOptions(priority: ItemPriority | undefined): Pick<JobsOptions, 'priority'> {
  return priority === 'bulk' ? { priority: 1 } : {};
}

/**
 * The id of the one job a stage runs per item revision (BullMQ ids must not contain ':'). A
 * redelivered event finds its job and adds nothing; an operator retry removes the finished job
 * of that id first, so the same revision can run again.
 */
export function revisionJobId(itemId: string, revision: number): string {
  return `${itemId}_${revision}`;
}
