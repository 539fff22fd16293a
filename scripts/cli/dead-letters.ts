import { ALL_TOPICS, DLQ_SUFFIX, deadLetterTopic } from '@curation/contracts';
import { DeadLetterHeader, headerText } from '@curation/kafka';
import { SingleBar } from 'cli-progress';
import type { IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { UsageError } from './cli-context';

export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  key?: string;
  reason?: string;
  attempts?: string;
  service?: string;
  failedAt?: string;
  sourceTopic?: string;
  message: KafkaMessage;
}

export function resolveDeadLetterTopics(topic: string | undefined): string[] {
  const all = ALL_TOPICS.map(deadLetterTopic);
  if (!topic) return all;
  const name = topic.endsWith(DLQ_SUFFIX) ? topic : `${topic}${DLQ_SUFFIX}`;
  if (!all.includes(name))
    throw new UsageError(`unknown dead-letter topic ${topic}; one of: ${all.join(', ')}`);
  return [name];
}

/** Reads a dead-letter topic from the start to its current end, without a consumer group. */
export async function readDeadLetters(kafka: Kafka, topic: string): Promise<DeadLetter[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const pending = new Map(
    ends
      .filter((end) => Number(end.high) > Number(end.low))
      .map((end) => [end.partition, Number(end.high)]),
  );
  const letters: DeadLetter[] = [];
  if (pending.size === 0) return letters;
  const consumer = kafka.consumer({ groupId: `curation.cli.read-${process.pid}-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((done, fail) => {
    consumer
      .run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const end = pending.get(partition);
          if (end === undefined || Number(message.offset) >= end) return;
          letters.push(describe(topic, partition, message));
          if (Number(message.offset) + 1 >= end) pending.delete(partition);
          if (pending.size === 0) done();
        },
      })
      .catch(fail);
  });
  await consumer.disconnect();
  return letters.sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
}

function describe(topic: string, partition: number, message: KafkaMessage): DeadLetter {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString(),
    reason: headerText(message.headers, DeadLetterHeader.Reason),
    attempts: headerText(message.headers, DeadLetterHeader.Attempts),
    service: headerText(message.headers, DeadLetterHeader.Service),
    failedAt: headerText(message.headers, DeadLetterHeader.FailedAt),
    sourceTopic: headerText(message.headers, DeadLetterHeader.SourceTopic),
    message,
  };
}

const DEAD_LETTER_HEADERS = new Set<string>(Object.values(DeadLetterHeader));

/** Sends dead letters back to the topic they failed on, as they were before they failed. */
export async function replayDeadLetters(kafka: Kafka, letters: DeadLetter[]): Promise<number> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const progress = new SingleBar({ format: 'replaying [{bar}] {value}/{total}' });
  progress.start(letters.length, 0);
  try {
    for (const letter of letters) {
      if (!letter.sourceTopic)
        throw new Error(
          `${letter.topic}@${letter.partition}:${letter.offset} names no source topic`,
        );
      const headers: IHeaders = Object.fromEntries(
        Object.entries(letter.message.headers ?? {}).filter(
          ([name]) => !DEAD_LETTER_HEADERS.has(name),
        ),
      );
      await producer.send({
        topic: letter.sourceTopic,
        acks: -1,
        messages: [{ key: letter.message.key, value: letter.message.value, headers }],
      });
      progress.increment();
    }
  } finally {
    progress.stop();
    await producer.disconnect();
  }
  return letters.length;
}
