import { ALL_QUEUES } from '@curation/contracts';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import type { Kafka } from 'kafkajs';

export async function queueCounts(redisUrl: string): Promise<string[][]> {
  const connection = new IORedis(redisUrl, { maxRetriesPerRequest: null });
  try {
    const rows = [['queue', 'waiting', 'active', 'delayed', 'failed', 'completed']];
    for (const name of ALL_QUEUES) {
      const queue = new Queue(name, { connection });
      const counts = await queue.getJobCounts(
        'waiting',
        'active',
        'delayed',
        'failed',
        'completed',
      );
      rows.push([
        name,
        ...['waiting', 'active', 'delayed', 'failed', 'completed'].map((state) =>
          String(counts[state] ?? 0),
        ),
      ]);
      await queue.close();
    }
    return rows;
  } finally {
    await connection.quit();
  }
}

export async function consumerLag(kafka: Kafka, groupPrefix: string): Promise<string[][]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const rows = [['group', 'topic', 'lag']];
    const { groups } = await admin.listGroups();
    for (const { groupId } of groups.filter((group) =>
      group.groupId.startsWith(`${groupPrefix}.`),
    )) {
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
        const ends = new Map(
          (await admin.fetchTopicOffsets(topic)).map((end) => [end.partition, Number(end.high)]),
        );
        const lag = partitions.reduce(
          (sum, { partition, offset }) =>
            sum + (ends.get(partition) ?? 0) - Math.max(Number(offset), 0),
          0,
        );
        rows.push([groupId, topic, String(lag)]);
      }
    }
    return rows;
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
