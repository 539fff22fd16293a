import { waitUntilTopicsServed } from '@curation/kafka';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin, type KafkaMessage } from 'kafkajs';
import { eventually } from './test-environment';

/** End offset of every partition of some topics at one moment. */
export type TopicMark = ReadonlyMap<string, number>;

function adminOf(brokers: string[]): Admin {
  return new Kafka({ clientId: 'test-progress', brokers, logLevel: logLevel.NOTHING }).admin();
}

async function endOffsets(admin: Admin, topics: string[]): Promise<Map<string, number>> {
  const ends = new Map<string, number>();
  for (const topic of topics) {
    for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
      ends.set(`${topic}:${partition}`, Number(high));
    }
  }
  return ends;
}

export async function markTopics(brokers: string[], topics: string[]): Promise<TopicMark> {
  const admin = adminOf(brokers);
  await admin.connect();
  try {
    return await endOffsets(admin, topics);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Resolves once `groupId` has committed every message published on `topics` since `mark`: the
 * group has handled them, so a test can check what a message did not change without sleeping and
 * hoping. Partitions nobody wrote to since the mark are not waited for (a group that starts at
 * the end never commits on them).
 */
export async function groupCaughtUp(
  brokers: string[],
  groupId: string,
  topics: string[],
  mark: TopicMark,
  timeoutMs = 30_000,
): Promise<void> {
  const admin = adminOf(brokers);
  await admin.connect();
  try {
    const ends = await endOffsets(admin, topics);
    const written = [...ends].filter(([key, end]) => end > (mark.get(key) ?? 0));
    await eventually(async () => {
      const committed = new Map<string, number>();
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics })) {
        for (const { partition, offset } of partitions) {
          committed.set(`${topic}:${partition}`, Number(offset));
        }
      }
      return written.every(([key, end]) => (committed.get(key) ?? -1) >= end) ? true : undefined;
    }, timeoutMs);
  } finally {
    await admin.disconnect();
  }
}

/** Commits the end offsets for a new group: its consumer starts there whenever it joins. */
export async function startGroupAtEnd(
  kafka: Kafka,
  groupId: string,
  topics: string[],
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitUntilTopicsServed(admin, topics);
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({
        groupId,
        topic,
        partitions: ends.map(({ partition, high }) => ({ partition, offset: high })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}

export interface TopicReader {
  /** Its consumer group: `groupCaughtUp(brokers, reader.groupId, [topic], mark)` = read all. */
  groupId: string;
  messages: KafkaMessage[];
  stop(): Promise<void>;
}

/** Reads `topic` from its beginning into `messages` (a group of its own) until `stop()`. */
export async function readWholeTopic(brokers: string[], topic: string): Promise<TopicReader> {
  const groupId = `test-reader-${randomUUID()}`;
  const consumer = new Kafka({ clientId: groupId, brokers, logLevel: logLevel.NOTHING }).consumer({
    groupId,
  });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void messages.push(message) });
  return { groupId, messages, stop: () => consumer.disconnect() };
}
