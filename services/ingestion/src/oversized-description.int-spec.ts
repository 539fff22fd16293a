import { Topic, deadLetterTopic, itemIdForWorkPackage } from '@curation/contracts';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import {
  groupCaughtUp,
  KafkaEventCollector,
  markTopics,
  StandInOpenProject,
  uniqueName,
  webhookBody,
  workPackageJson,
} from '@curation/testing';
import { webhookSignature } from './services/webhook-signature';
import {
  kafkaAndRedis,
  startIngestion,
  type IngestionHarness,
} from './testing/ingestion-app.harness';

const SECRET = 'oversized-description-secret';
/** Kafka's default `message.max.bytes` (1 MB and a little), the broker's and the topics'. */
const KAFKA_MESSAGE_LIMIT = 1_048_588;
const DESCRIPTION_MAX_BYTES = 200 * 1024;

/** ~900 KB of curator HTML, attribute quotes included (JSON escapes each one, so it grows). */
function curatorDescription(targetBytes: number): string {
  const paragraphs: string[] = [];
  let size = 0;
  for (let index = 0; size < targetBytes; index++) {
    const paragraph = `<p id="p${index}">Paragraph ${index}: a long curator note with <a href="https://source.example/${index}" title="“quoted” source">a link</a> and <strong>emphasis</strong>.</p>`;
    paragraphs.push(paragraph);
    size += Buffer.byteLength(paragraph) + 1;
  }
  return paragraphs.join('\n');
}

/**
 * The edge of Kafka's 1 MB message limit: a curator description of 900 KB is cut at ingestion
 * to DESCRIPTION_MAX_BYTES at an element boundary (the event says so), every message written is
 * far below the limit, and nothing is dead-lettered for its size.
 */
describe('a 900 KB curator description (real Kafka and Redis, stand-in OpenProject)', () => {
  const prefix = uniqueName('oversized-description');
  const openProject = new StandInOpenProject();
  const { KAFKA_BROKERS: brokers } = kafkaAndRedis();
  let ingestion: IngestionHarness;
  let collector: KafkaEventCollector;

  beforeAll(async () => {
    await openProject.start();
    collector = await KafkaEventCollector.start(
      brokers,
      [Topic.OpenProjectWebhook, Topic.ItemReceived],
      prefix,
    );
    ingestion = await startIngestion({
      KAFKA_CLIENT_ID_PREFIX: prefix,
      INGESTION_REDIS_KEY_PREFIX: prefix,
      DESCRIPTION_MAX_BYTES: String(DESCRIPTION_MAX_BYTES),
      OPENPROJECT_URL: openProject.baseUrl,
      OPENPROJECT_API_KEY: openProject.apiKey,
      OPENPROJECT_WEBHOOK_SECRET: SECRET,
      OPENPROJECT_TYPE_ID: '7',
    });
  });

  afterAll(async () => {
    await ingestion?.close();
    await collector?.stop();
    await openProject.stop();
  });

  /** Dead letters of the item written since `mark`, read until the reader caught up with the topics. */
  async function deadLettersOf(itemId: string, topics: string[], since: Map<string, number>) {
    const kafka = new Kafka({ clientId: `${prefix}-dlq`, brokers, logLevel: logLevel.NOTHING });
    const groupId = `${prefix}-dlq-${randomUUID()}`;
    const consumer = kafka.consumer({ groupId });
    const found: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        if (message.key?.toString() === itemId) found.push(topic);
      },
    });
    try {
      await groupCaughtUp(brokers, groupId, topics, since, 60000);
    } finally {
      await consumer.disconnect();
    }
    return found;
  }

  it('is cut at ingestion and flows to received with no dead letter, every message < 1 MB', async () => {
    const description = curatorDescription(900 * 1024);
    const workPackage = workPackageJson({ id: 9301, descriptionHtml: description });
    openProject.put(workPackage);
    const itemId = itemIdForWorkPackage(openProject.baseUrl, 9301);
    const dlqTopics = [Topic.OpenProjectWebhook, Topic.ItemReceived].map(deadLetterTopic);
    const mark = new Map(await markTopics(brokers, dlqTopics));

    const body = webhookBody('work_package:updated', workPackage);
    const answer = await fetch(`${ingestion.url}/webhooks/openproject`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-op-signature': webhookSignature(body, SECRET),
      },
      body,
    });
    expect(answer.status).toBe(202);

    const [received] = await collector.waitFor(Topic.ItemReceived, itemId);
    const kept = received.data.descriptionHtml ?? '';
    expect(Buffer.byteLength(kept)).toBeLessThanOrEqual(DESCRIPTION_MAX_BYTES);
    expect(Buffer.byteLength(kept)).toBeGreaterThan(DESCRIPTION_MAX_BYTES * 0.9);
    expect(description.startsWith(kept)).toBe(true);
    expect(kept.endsWith('</p>')).toBe(true);
    expect(received.data.descriptionCut).toEqual({
      originalBytes: Buffer.byteLength(description),
      keptBytes: Buffer.byteLength(kept),
    });

    const [raw] = collector.events(Topic.OpenProjectWebhook, itemId);
    expect(raw.data.body).toBeUndefined();
    expect(raw.data.bodyBytes).toBe(Buffer.byteLength(body));

    const sizes = [raw, received].map((event) => Buffer.byteLength(JSON.stringify(event)));
    console.log(
      `900 KB description: webhook event ${sizes[0]} B, received event ${sizes[1]} B (limit ${KAFKA_MESSAGE_LIMIT} B)`,
    );
    for (const size of sizes) expect(size).toBeLessThan(KAFKA_MESSAGE_LIMIT / 2);

    expect(await deadLettersOf(itemId, dlqTopics, mark)).toEqual([]);
  });
});
