import type { Kafka } from 'kafkajs';

/** Loaded by the `queues` command alone: BullMQ and its Redis client load only then. */
const operations = () => import('@curation/operations');

/** Job counts by queue and state, under the BullMQ key prefix the services use (`QUEUE_PREFIX`). */
export async function queueTable(redisUrl: string, queuePrefix: string): Promise<string[][]> {
  const { JOB_STATES, pipelineQueueCounts } = await operations();
  const counts = await pipelineQueueCounts(redisUrl, queuePrefix);
  return [
    ['queue', ...JOB_STATES],
    ...Object.entries(counts).map(([queue, byState]) => [
      queue,
      ...JOB_STATES.map((state) => String(byState[state])),
    ]),
  ];
}

/** Lag per consumer group and topic of the groups named `<groupPrefix>.<...>`. */
export async function lagTable(kafka: Kafka, groupPrefix: string): Promise<string[][]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { consumerLag } = await operations();
    const lags = await consumerLag(admin, groupPrefix);
    return [
      ['group', 'topic', 'lag'],
      ...lags.map(({ group, topic, lag }) => [group, topic, String(lag)]),
    ];
  } finally {
    await admin.disconnect();
  }
}

/**
 * Moves a service's consumer group back to a time or offset, so the service consumes the topic
 * again from there. Kafka only allows it while the group has no running member.
 */
export async function rewindGroup(
  kafka: Kafka,
  groupId: string,
  topic: string,
  from: { time?: number; offset?: string },
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const partitions =
      from.time !== undefined
        ? await admin.fetchTopicOffsetsByTimestamp(topic, from.time)
        : (await admin.fetchTopicOffsets(topic)).map(({ partition }) => ({
            partition,
            offset: from.offset!,
          }));
    await admin.setOffsets({ groupId, topic, partitions });
  } finally {
    await admin.disconnect();
  }
}
