import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { ALL_TOPICS, deadLetterTopic } from '../../libs/contracts/src/topics';
import { waitUntilTopicsServed } from '../../libs/kafka/src/topic-readiness';

const READINESS_TOPIC = 'curation.test.readiness';
const ROUND_TRIP_TIMEOUT_MS = 60_000;
/** The services' default (`KAFKA_TOPIC_PARTITIONS`), for topics a test reads before a service made them. */
const PIPELINE_TOPIC_PARTITIONS = 3;

/**
 * A broker that answers metadata may still lack partition leaders and a loaded group
 * coordinator: it is ready for the suites once the pipeline's topics are served and a created
 * topic took a message that a new consumer group read back.
 */
export async function awaitKafkaRoundTrip(brokers: string[]): Promise<void> {
  const kafka = new Kafka({
    clientId: 'curation-test-readiness',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 200, retries: 20 },
  });
  const admin = kafka.admin();
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `curation-test-readiness-${randomUUID()}` });
  const token = randomUUID();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const pipelineTopics = ALL_TOPICS.flatMap((topic) => [topic, deadLetterTopic(topic)]);
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: READINESS_TOPIC },
        ...pipelineTopics
          .filter((topic) => !existing.has(topic))
          .map((topic) => ({ topic, numPartitions: PIPELINE_TOPIC_PARTITIONS })),
      ],
    });
    await waitUntilTopicsServed(admin, [READINESS_TOPIC, ...pipelineTopics]);
    await consumer.connect();
    await consumer.subscribe({ topic: READINESS_TOPIC, fromBeginning: true });
    const received = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (message.value?.toString() === token) resolve();
        },
      });
    });
    await producer.connect();
    await producer.send({ topic: READINESS_TOPIC, acks: -1, messages: [{ value: token }] });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Kafka at ${brokers.join(',')} did not deliver a message back`)),
        ROUND_TRIP_TIMEOUT_MS,
      );
    });
    await Promise.race([received, timeout]).finally(() => clearTimeout(timer));
  } finally {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
  }
}
