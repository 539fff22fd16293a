import { ALL_QUEUES } from '@curation/contracts';
import { Queue } from 'bullmq';
import type { Admin } from 'kafkajs';

/** What counting needs of a queue and of the Kafka admin client. */
export type CountedQueue = Pick<Queue, 'name' | 'getJobCounts'>;
export type LagAdmin = Pick<Admin, 'listGroups' | 'fetchOffsets' | 'fetchTopicOffsets'>;

/** The BullMQ job states an operator reads: waiting work first, finished work last. */
export const JOB_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'failed',
  'completed',
] as const;
export type JobState = (typeof JOB_STATES)[number];

export type QueueCounts = Record<string, Record<JobState, number>>;

/** Job counts by state of each queue. */
export async function queueCounts(queues: readonly CountedQueue[]): Promise<QueueCounts> {
  const counts: QueueCounts = {};
  for (const queue of queues) {
    const byState = await queue.getJobCounts(...JOB_STATES);
    counts[queue.name] = Object.fromEntries(
      JOB_STATES.map((state) => [state, byState[state] ?? 0]),
    ) as Record<JobState, number>;
  }
  return counts;
}

/** The pipeline's queues under a BullMQ key prefix (`QUEUE_PREFIX`), opened for one count. */
export async function pipelineQueueCounts(redisUrl: string, prefix: string): Promise<QueueCounts> {
  const queues = ALL_QUEUES.map(
    (name) => new Queue(name, { connection: { url: redisUrl }, prefix }),
  );
  try {
    return await queueCounts(queues);
  } finally {
    await Promise.all(queues.map((queue) => queue.close()));
  }
}

export interface TopicLag {
  group: string;
  topic: string;
  /** Messages published and not yet committed by the group, over every partition. */
  lag: number;
}

/**
 * Lag of every consumer group named `<groupPrefix>.<...>` (the services' groups and their
 * sub-groups, e.g. `curation.ingestion.write-back`), per topic. A partition the group never
 * committed on counts from its oldest retained message.
 */
export async function consumerLag(admin: LagAdmin, groupPrefix: string): Promise<TopicLag[]> {
  const { groups } = await admin.listGroups();
  const groupIds = groups
    .map(({ groupId }) => groupId)
    .filter((groupId) => groupId.startsWith(`${groupPrefix}.`))
    .sort();
  const ends = new Map<string, Map<number, { high: number; low: number }>>();
  const endsOf = async (topic: string) => {
    let known = ends.get(topic);
    if (!known) {
      known = new Map(
        (await admin.fetchTopicOffsets(topic)).map(({ partition, high, low }) => [
          partition,
          { high: Number(high), low: Number(low) },
        ]),
      );
      ends.set(topic, known);
    }
    return known;
  };
  const lags: TopicLag[] = [];
  for (const group of groupIds) {
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId: group })) {
      const topicEnds = await endsOf(topic);
      let lag = 0;
      for (const { partition, offset } of partitions) {
        const end = topicEnds.get(partition);
        if (!end) continue;
        // -1: never committed; below `low`: the messages in between are no longer retained.
        lag += end.high - Math.max(Number(offset), end.low);
      }
      lags.push({ group, topic, lag });
    }
  }
  return lags;
}
