import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { waitUntilTopicsServed } from '../../libs/kafka/src/topic-readiness';

const READINESS_TOPIC = 'curation.test.readiness';
const ROUND_TRIP_TIMEOUT_MS = 60_000;

/**
 * A broker that answers metadata may still lack partition leaders and a loaded group
 * coordinator: it is ready for the suites once a created topic took a message and a new
 * consumer group read it back.
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
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: READINESS_TOPIC }] });
    await waitUntilTopicsServed(admin, [READINESS_TOPIC]);
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
