import {
  DeleteBucketCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ALL_QUEUES, ALL_TOPICS, deadLetterTopic, type Topic } from '@curation/contracts';
import {
  consumerLag as lagByGroupAndTopic,
  pipelineQueueCounts,
  type QueueCounts,
} from '@curation/operations';
import type { Client } from '@opensearch-project/opensearch';
import { Queue } from 'bullmq';
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';

/**
 * POST /v1/items until ingestion accepts it: a client retries while ingestion restarts or
 * Kafka is away (connection refused, 503). The item id is deterministic, so a retry of an
 * accepted submission lands on the same item.
 */
export async function submitUntilAccepted(
  ingestionUrl: () => string,
  body: Record<string, unknown>,
  timeoutMs = 120000,
  cancelled: () => boolean = () => false,
  apiToken?: string,
): Promise<{ itemId: string; attempts: number }> {
  const deadline = Date.now() + timeoutMs;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (apiToken) headers.authorization = `Bearer ${apiToken}`;
  for (let attempts = 1; ; attempts++) {
    try {
      const response = await fetch(`${ingestionUrl()}/v1/items`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10000),
      });
      if (response.status === 202) {
        return { itemId: ((await response.json()) as { itemId: string }).itemId, attempts };
      }
      if (response.status < 500) {
        throw new Error(`submission refused: ${response.status} ${await response.text()}`);
      }
    } catch (error) {
      if ((error as Error).message.startsWith('submission refused')) throw error;
    }
    if (Date.now() > deadline || cancelled()) {
      throw new Error(`submission not accepted within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Which of `ids` the alias holds (searchable now), in one request per 5,000 ids. */
export async function indexedIds(
  search: Client,
  alias: string,
  ids: string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  for (let start = 0; start < ids.length; start += 5000) {
    const slice = ids.slice(start, start + 5000);
    const response = await search.search({
      index: alias,
      body: { size: slice.length, _source: false, query: { ids: { values: slice } } },
    });
    for (const hit of response.body.hits.hits as Array<{ _id: string }>) found.add(hit._id);
  }
  return found;
}

export async function documentCount(search: Client, alias: string): Promise<number> {
  await search.indices.refresh({ index: alias });
  return (await search.count({ index: alias })).body.count as number;
}

/** Every key in the bucket ending with `suffix`, with its count (keys are unique per bucket). */
export async function objectKeys(s3: S3Client, bucket: string, suffix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key?.endsWith(suffix)) keys.push(object.Key);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** BullMQ job counts per queue of the pipeline under `prefix`. */
export { pipelineQueueCounts as queueCounts, type QueueCounts };

/** Removes the run's BullMQ keys from the shared Redis. */
export async function removeQueues(redisUrl: string, prefix: string): Promise<void> {
  for (const name of ALL_QUEUES) {
    const queue = new Queue(name, { connection: { url: redisUrl }, prefix });
    try {
      await queue.obliterate({ force: true });
    } finally {
      await queue.close();
    }
  }
}

/** Messages per topic (sum over partitions of high − low watermark). */
export async function topicMessageCounts(
  brokers: string[],
  topics: string[],
): Promise<Record<string, number>> {
  const admin = new Kafka({ clientId: 'e2e-counts', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const counts: Record<string, number> = {};
    for (const topic of topics) {
      counts[topic] = existing.has(topic)
        ? (await admin.fetchTopicOffsets(topic)).reduce(
            (sum, { high, low }) => sum + Number(high) - Number(low),
            0,
          )
        : 0;
    }
    return counts;
  } finally {
    await admin.disconnect();
  }
}

export const DEAD_LETTER_TOPICS = ALL_TOPICS.map((topic: Topic) => deadLetterTopic(topic));

export function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

/** Deletes every object of the run's bucket (one by one: S3Proxy and checksums), then the bucket. */
export async function removeBucket(s3: S3Client, bucket: string): Promise<void> {
  const keys = await objectKeys(s3, bucket, '');
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < keys.length) {
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: keys[next++] }));
      }
    }),
  );
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}

/** Deletes the run's consumer groups (`<prefix>.<service>`) from a shared broker. */
export async function removeConsumerGroups(
  brokers: string[],
  prefix: string,
  services: string[],
): Promise<void> {
  const admin = new Kafka({
    clientId: `${prefix}-cleanup`,
    brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    await admin.deleteGroups(services.map((service) => `${prefix}.${service}`));
  } finally {
    await admin.disconnect();
  }
}

export interface EventKey {
  itemId: string;
  revision: number;
}

/**
 * Every event a topic holds, from its first offset to the high watermarks read at the start:
 * done when each partition's last message has been seen, not after a guessed wait.
 */
export async function readTopicEvents(
  brokers: string[],
  topic: string,
  timeoutMs = 60000,
): Promise<EventKey[]> {
  const kafka = new Kafka({ clientId: 'e2e-read', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  let ends: Array<{ partition: number; high: string; low: string }>;
  try {
    ends = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const remaining = new Map(
    ends
      .filter(({ high, low }) => Number(high) > Number(low))
      .map(({ partition, high }) => [partition, Number(high)]),
  );
  const events: EventKey[] = [];
  if (remaining.size === 0) return events;
  const consumer = kafka.consumer({ groupId: `e2e-read-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${topic} not read to its end within ${timeoutMs} ms`)),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const end = remaining.get(partition);
            if (end === undefined || Number(message.offset) >= end) return;
            const { itemId, revision } = JSON.parse(message.value?.toString() ?? '{}') as EventKey;
            events.push({ itemId, revision });
            if (Number(message.offset) + 1 >= end) remaining.delete(partition);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return events;
}

/**
 * Messages the service groups (`<prefix>.<service>`) have not committed yet, over every topic
 * they subscribe to: 0 once the pipeline has consumed everything published.
 */
export async function consumerLag(
  brokers: string[],
  prefix: string,
  services: string[],
): Promise<number> {
  const admin = new Kafka({ clientId: 'e2e-lag', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const groups = new Set(services.map((service) => `${prefix}.${service}`));
    return (await lagByGroupAndTopic(admin, prefix))
      .filter(({ group }) => groups.has(group))
      .reduce((sum, { lag }) => sum + lag, 0);
  } finally {
    await admin.disconnect();
  }
}

export interface IndexedDocument {
  id: string;
  version: number;
  itemId?: string;
  url?: string;
}

/** Every document the alias holds, with its `_version` (the revision: external versioning). */
export async function allDocuments(
  search: Client,
  alias: string,
  limit: number,
): Promise<IndexedDocument[]> {
  await search.indices.refresh({ index: alias });
  const response = await search.search({
    index: alias,
    body: {
      size: limit,
      version: true,
      _source: ['itemId', 'url'],
      query: { match_all: {} },
    },
  });
  return (
    response.body.hits.hits as Array<{
      _id: string;
      _version?: number;
      _source?: { itemId?: string; url?: string };
    }>
  ).map((hit) => ({
    id: hit._id,
    version: hit._version ?? -1,
    itemId: hit._source?.itemId,
    url: hit._source?.url,
  }));
}

/** The `revision` metadata of each object, read with HEAD requests, 8 at a time. */
export async function objectRevisions(
  s3: S3Client,
  bucket: string,
  keys: string[],
): Promise<Map<string, number>> {
  const revisions = new Map<string, number>();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < keys.length) {
        const key = keys[next++];
        const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        revisions.set(key, Number(head.Metadata?.revision ?? -1));
      }
    }),
  );
  return revisions;
}
