import { Test } from '@nestjs/testing';
import {
  kafkaTestModule,
  groupCaughtUp,
  markTopics,
  type TopicMark,
  eventually,
  testEnvironment,
  uniqueName,
} from '@curation/testing';
import type { INestApplication } from '@nestjs/common';
import { Topic, deadLetterTopic, itemIdForUrl } from '@curation/contracts';
import { DeadLetterHeader, EventPublisher } from '@curation/kafka';
import { PlatformModule } from '@curation/platform';
import { RedisModule } from '@curation/redis';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { findFreePorts } from '../../../../infra/src/free-ports';
import { Kafka, logLevel } from 'kafkajs';
import { OperationsModule } from './operations.module';

/** A Redis of this test's own, so it can be stopped without touching the shared one. */
async function startRedis(port: number): Promise<ChildProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'operations-redis-'));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''],
    {
      stdio: 'ignore',
    },
  );
  await eventually(async () => {
    const { createConnection } = await import('node:net');
    return new Promise<true | undefined>((resolve) => {
      const socket = createConnection(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(undefined));
    });
  });
  return child;
}

/** The events of one item written to `topic` since `mark`, read without a group's commits. */
async function readSince(
  topic: Topic,
  mark: TopicMark,
  itemId: string,
): Promise<Array<{ id: string; revision: number }>> {
  const kafka = new Kafka({
    clientId: 'operations-read',
    brokers: testEnvironment().KAFKA_BROKERS,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const pending = new Map(
    ends
      .map(({ partition, high }) => [partition, Number(high)] as const)
      .filter(([partition, high]) => high > (mark.get(`${topic}:${partition}`) ?? 0)),
  );
  const found: Array<{ id: string; revision: number }> = [];
  if (pending.size === 0) return found;
  const consumer = kafka.consumer({ groupId: uniqueName('operations-read') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((done, fail) => {
    consumer
      .run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const end = pending.get(partition);
          const offset = Number(message.offset);
          if (end === undefined || offset < (mark.get(`${topic}:${partition}`) ?? 0)) return;
          if (message.key?.toString() === itemId && offset < end) {
            found.push(JSON.parse(message.value!.toString()) as { id: string; revision: number });
          }
          if (offset + 1 >= end) pending.delete(partition);
          if (pending.size === 0) done();
        },
      })
      .catch(fail);
    for (const partition of pending.keys()) {
      consumer.seek({
        topic,
        partition,
        offset: String(mark.get(`${topic}:${partition}`) ?? 0),
      });
    }
  });
  await consumer.disconnect();
  return found;
}

describe('operations: item status, queue dashboard, metrics, readiness', () => {
  const prefix = uniqueName('operations-test');
  let app: INestApplication;
  let baseUrl: string;
  let redis: ChildProcess;
  let redisPort: number;
  const admin = { user: 'operator', password: 'operator-secret' };

  beforeAll(async () => {
    [redisPort] = await findFreePorts(1);
    redis = await startRedis(redisPort);
    const moduleRef = await Test.createTestingModule({
      imports: [
        PlatformModule.forRoot({ serviceName: 'operations-test', logLevel: 'warn' }),
        kafkaTestModule({ serviceName: 'operations', clientIdPrefix: prefix }),
        RedisModule.forRoot({
          url: `redis://127.0.0.1:${redisPort}`,
          connectionName: 'operations-test',
        }),
        OperationsModule.forRoot({
          queuePrefix: 'bull',
          admin,
          consumerGroupPrefix: prefix,
        }),
      ],
    }).compile();
    app = moduleRef.createNestApplication();
    app.enableShutdownHooks();
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
    redis?.kill('SIGKILL');
  });

  const status = async (itemId: string) => {
    const response = await fetch(`${baseUrl}/v1/items/${itemId}`);
    return response.status === 200
      ? ((await response.json()) as Record<string, unknown>)
      : undefined;
  };

  it('follows an item through the stages from the events alone, with durations', async () => {
    const itemId = itemIdForUrl(`https://status.example/${randomUUID()}`);
    const publisher = app.get(EventPublisher);
    const metricsBefore = await (await fetch(`${baseUrl}/metrics`)).text();
    await publisher.publish(Topic.ItemReceived, {
      itemId,
      revision: 5,
      data: {
        source: 'submission',
        url: 'https://status.example/article',
        originalUrl: 'https://status.example/article',
        title: 'A status example',
        topics: ['HIMSS: Digital Health'],
        updatedAt: '2026-11-28T10:00:00Z',
        customFields: {},
      },
    });
    await eventually(async () => ((await status(itemId))?.stage === 'received' ? true : undefined));
    await publisher.publish(Topic.ItemIndexed, {
      itemId,
      revision: 5,
      data: { index: 'curated-content-v1', bucket: 'curation', documentKey: `${itemId}.md` },
    });
    const done = await eventually(async () => {
      const current = await status(itemId);
      return current?.state === 'completed' ? current : undefined;
    });
    expect(done).toMatchObject({
      itemId,
      revision: 5,
      stage: 'indexed',
      title: 'A status example',
    });
    expect(Object.keys(done.stages as object).sort()).toEqual(['indexed', 'received']);

    // An older revision arriving late changes nothing.
    const mark = await markTopics(testEnvironment().KAFKA_BROKERS, [
      Topic.ItemFailed,
      Topic.ItemRemoved,
    ]);
    await publisher.publish(Topic.ItemFailed, {
      itemId,
      revision: 4,
      data: { stage: 'enrichment', reason: 'stale failure', attempts: 1, retryable: false },
    });
    await publisher.publish(Topic.ItemRemoved, {
      itemId: randomUUID(),
      revision: 1,
      data: { reason: 'operator' },
    });
    await groupCaughtUp(
      testEnvironment().KAFKA_BROKERS,
      `${prefix}.operations`,
      [Topic.ItemFailed, Topic.ItemRemoved],
      mark,
    );
    expect((await status(itemId))?.state).toBe('completed');

    const metricsAfter = await (await fetch(`${baseUrl}/metrics`)).text();
    const indexedCount = (text: string) =>
      Number(
        /curation_items_total\{stage="indexed",outcome="success"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0,
      );
    // Other tests share the topics, so other items may be counted too.
    expect(indexedCount(metricsAfter)).toBeGreaterThanOrEqual(indexedCount(metricsBefore) + 1);
    expect(metricsAfter).toMatch(/curation_queue_jobs\{/);
  });

  it('shows the reason of a failure and of a dead-lettered event, and lists failed items', async () => {
    const failedId = itemIdForUrl(`https://failed.example/${randomUUID()}`);
    const deadId = itemIdForUrl(`https://dead.example/${randomUUID()}`);
    const publisher = app.get(EventPublisher);
    await publisher.publish(Topic.ItemFailed, {
      itemId: failedId,
      revision: 1,
      data: { stage: 'enrichment', reason: 'page answered 404', attempts: 1, retryable: false },
    });
    // What the event consumer reports when it dead-letters an item's event.
    await publisher.publish(Topic.ItemFailed, {
      itemId: deadId,
      revision: 2,
      data: {
        stage: 'image-processing',
        reason: 'image decode exploded',
        attempts: 5,
        retryable: false,
        deadLetterTopic: deadLetterTopic(Topic.ItemEnriched),
      },
    });
    const failed = await eventually(async () => {
      const current = await status(failedId);
      return current?.state === 'failed' ? current : undefined;
    });
    expect(failed.lastError).toMatchObject({ stage: 'enrichment', reason: 'page answered 404' });
    const dead = await eventually(async () => {
      const current = await status(deadId);
      return current?.state === 'failed' ? current : undefined;
    });
    expect(dead.lastError).toMatchObject({
      stage: 'image-processing',
      reason: 'image decode exploded',
      attempts: 5,
      deadLetterTopic: 'curation.item.enriched.dlq',
    });
    const listed = (await (await fetch(`${baseUrl}/v1/items?state=failed`)).json()) as {
      items: Array<{ itemId: string }>;
    };
    expect(listed.items.map((item) => item.itemId)).toEqual(
      expect.arrayContaining([failedId, deadId]),
    );
    expect((await fetch(`${baseUrl}/v1/items?state=bogus`)).status).toBe(400);
    expect((await fetch(`${baseUrl}/v1/items/not-a-uuid`)).status).toBe(400);
    expect((await fetch(`${baseUrl}/v1/items/${randomUUID()}`)).status).toBe(404);
  });

  const receivedData = (url: string, workPackageId?: number) => ({
    source: workPackageId ? ('openproject' as const) : ('submission' as const),
    ...(workPackageId
      ? {
          workPackage: {
            id: workPackageId,
            baseUrl: 'https://op.example',
            lockVersion: 3,
            updatedAt: '2026-11-28T10:00:00Z',
            typeName: 'Curated Content',
          },
        }
      : {}),
    url,
    originalUrl: url,
    title: 'An operations example',
    topics: ['HIMSS: Digital Health'],
    updatedAt: '2026-11-28T10:00:00Z',
    customFields: {},
  });

  const failedStatus = (itemId: string) =>
    eventually(async () => {
      const current = await status(itemId);
      return current?.state === 'failed' ? current : undefined;
    });

  it('finds the items of a work package by its id', async () => {
    const workPackageId = 100000 + Math.floor(Math.random() * 800000);
    const itemId = randomUUID();
    await app.get(EventPublisher).publish(Topic.ItemReceived, {
      itemId,
      revision: 3,
      data: receivedData(`https://wp.example/${itemId}`, workPackageId),
    });
    const found = await eventually(async () => {
      const answer = (await (
        await fetch(`${baseUrl}/v1/items?workPackageId=${workPackageId}`)
      ).json()) as { items: Array<Record<string, unknown>> };
      return answer.items.length > 0 ? answer.items : undefined;
    });
    expect(found).toEqual([
      expect.objectContaining({ itemId, workPackageId, revision: 3, state: 'in-progress' }),
    ]);
    const none = (await (
      await fetch(`${baseUrl}/v1/items?workPackageId=${workPackageId + 1}`)
    ).json()) as { items: unknown[] };
    expect(none.items).toEqual([]);
    expect((await fetch(`${baseUrl}/v1/items?workPackageId=abc`)).status).toBe(400);
  });

  it('one status shape for a failure dead-lettered at a submission-time check', async () => {
    const itemId = randomUUID();
    const url = `https://checked.example/${itemId}`;
    const publisher = app.get(EventPublisher);
    const received = await publisher.publish(Topic.ItemReceived, {
      itemId,
      revision: 7,
      data: receivedData(url),
    });
    await eventually(async () => ((await status(itemId))?.stage === 'received' ? true : undefined));
    // Enrichment refuses the event before any fetch: its dead letter carries the event as it was,
    // and its consumer reports the item failed.
    await publisher.send(deadLetterTopic(Topic.ItemReceived), [
      {
        key: itemId,
        value: JSON.stringify(received),
        headers: {
          [DeadLetterHeader.Reason]: 'scheme not allowed',
          [DeadLetterHeader.Service]: 'enrichment',
          [DeadLetterHeader.SourceTopic]: Topic.ItemReceived,
          [DeadLetterHeader.Attempts]: '1',
          [DeadLetterHeader.FailedAt]: new Date().toISOString(),
        },
      },
    ]);
    await publisher.publish(Topic.ItemFailed, {
      itemId,
      revision: 7,
      data: {
        stage: 'enrichment',
        reason: 'scheme not allowed',
        attempts: 1,
        retryable: false,
        deadLetterTopic: deadLetterTopic(Topic.ItemReceived),
      },
    });
    const failed = await failedStatus(itemId);
    expect(failed).toMatchObject({
      state: 'failed',
      stage: 'enrichment',
      revision: 7,
      attempt: 1,
      lastError: {
        stage: 'enrichment',
        reason: 'scheme not allowed',
        attempts: 1,
        deadLetterTopic: 'curation.item.received.dlq',
      },
    });
    expect(typeof (failed.lastError as { at: string }).at).toBe('string');
  });

  it('retry: 404 for an unknown item, 409 with its state when not failed, 202 and a new attempt when failed', async () => {
    const post = (itemId: string) =>
      fetch(`${baseUrl}/v1/items/${itemId}/retry`, { method: 'POST' });
    expect((await post(randomUUID())).status).toBe(404);
    expect((await post('not-a-uuid')).status).toBe(400);

    const itemId = randomUUID();
    const publisher = app.get(EventPublisher);
    const mark = await markTopics(testEnvironment().KAFKA_BROKERS, [Topic.ItemReceived]);
    await publisher.publish(Topic.ItemReceived, {
      itemId,
      revision: 2,
      data: receivedData(`https://retry.example/${itemId}`),
    });
    await eventually(async () => ((await status(itemId))?.stage === 'received' ? true : undefined));
    const notFailed = await post(itemId);
    expect(notFailed.status).toBe(409);
    expect(await notFailed.json()).toMatchObject({
      status: { itemId, state: 'in-progress', stage: 'received' },
    });

    await publisher.publish(Topic.ItemFailed, {
      itemId,
      revision: 2,
      data: { stage: 'enrichment', reason: 'HTTP 404', attempts: 2, retryable: false },
    });
    await failedStatus(itemId);
    const retried = await post(itemId);
    expect(retried.status).toBe(202);
    expect(await retried.json()).toMatchObject({
      itemId,
      revision: 2,
      state: 'in-progress',
      attempt: 2,
    });
    // The stage's input went out again: a second `received` of revision 2 for enrichment.
    await groupCaughtUp(
      testEnvironment().KAFKA_BROKERS,
      `${prefix}.operations`,
      [Topic.ItemReceived],
      mark,
    );
    const again = await readSince(Topic.ItemReceived, mark, itemId);
    expect(again.map((event) => event.revision)).toEqual([2, 2]);
    expect(new Set(again.map((event) => event.id)).size).toBe(2);
    expect((await status(itemId))?.state).toBe('in-progress');
    // A failure reported before the retry started does not fail the new attempt.
    await publisher.publish(Topic.ItemFailed, {
      itemId,
      revision: 2,
      occurredAt: new Date(Date.now() - 60000),
      data: { stage: 'enrichment', reason: 'late report', attempts: 2, retryable: false },
    });
    const secondRetry = await post(itemId);
    expect(secondRetry.status).toBe(409);
  });

  it('takedown: 404 for an unknown item; 202, `removed` with reason operator, status removed', async () => {
    expect((await fetch(`${baseUrl}/v1/items/${randomUUID()}`, { method: 'DELETE' })).status).toBe(
      404,
    );
    const itemId = randomUUID();
    await app.get(EventPublisher).publish(Topic.ItemReceived, {
      itemId,
      revision: 4,
      data: receivedData(`https://takedown.example/${itemId}`),
    });
    await eventually(async () => ((await status(itemId))?.stage === 'received' ? true : undefined));
    const answer = await fetch(`${baseUrl}/v1/items/${itemId}`, { method: 'DELETE' });
    expect(answer.status).toBe(202);
    expect(await answer.json()).toEqual({ itemId, revision: 5 });
    const removed = await eventually(async () => {
      const current = await status(itemId);
      return current?.state === 'removed' ? current : undefined;
    });
    expect(removed).toMatchObject({ stage: 'removed', removedReason: 'operator', revision: 5 });
  });

  it('internal addresses: a failure reason naming one shows only its class or a placeholder', async () => {
    const privateId = itemIdForUrl(`https://private.example/${randomUUID()}`);
    const refusedId = itemIdForUrl(`https://refused.example/${randomUUID()}`);
    const publisher = app.get(EventPublisher);
    await publisher.publish(Topic.ItemFailed, {
      itemId: privateId,
      revision: 1,
      data: {
        stage: 'enrichment',
        reason: 'https://private.example/ resolves to 10.1.2.3 (private)',
        attempts: 1,
        retryable: false,
      },
    });
    await publisher.publish(Topic.ItemFailed, {
      itemId: refusedId,
      revision: 1,
      data: {
        stage: 'image-processing',
        reason: 'connect ECONNREFUSED 10.9.8.7:9000 (minio.internal:9000)',
        attempts: 1,
        retryable: false,
        deadLetterTopic: deadLetterTopic(Topic.ItemEnriched),
      },
    });
    const shown = await Promise.all(
      [privateId, refusedId].map((itemId) =>
        eventually(async () => {
          const current = await status(itemId);
          return current?.state === 'failed' ? current : undefined;
        }),
      ),
    );
    expect(shown.map((item) => (item.lastError as { reason: string }).reason)).toEqual([
      'address not allowed',
      'connect ECONNREFUSED [address] ([address])',
    ]);
    const listed = await (await fetch(`${baseUrl}/v1/items?state=failed&limit=500`)).text();
    expect(listed).not.toMatch(/10\.1\.2\.3|10\.9\.8\.7|minio\.internal/);
  });

  it('guards the queue dashboard with credentials', async () => {
    expect((await fetch(`${baseUrl}/admin/queues`)).status).toBe(401);
    const wrong = Buffer.from(`${admin.user}:nope`).toString('base64');
    expect(
      (await fetch(`${baseUrl}/admin/queues`, { headers: { authorization: `Basic ${wrong}` } }))
        .status,
    ).toBe(401);
    const right = Buffer.from(`${admin.user}:${admin.password}`).toString('base64');
    const page = await fetch(`${baseUrl}/admin/queues`, {
      headers: { authorization: `Basic ${right}` },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
  });

  it('turns unready while Redis is down and ready again when it returns', async () => {
    const ready = async () => (await fetch(`${baseUrl}/health/ready`)).status;
    expect(await ready()).toBe(200);
    redis.kill('SIGKILL');
    await eventually(async () => ((await ready()) === 503 ? true : undefined));
    // Readiness names the dependency, not its address (ECONNREFUSED 127.0.0.1:<port>).
    const answer = await (await fetch(`${baseUrl}/health/ready`)).text();
    expect(answer).toMatch(/redis/);
    expect(answer).not.toMatch(new RegExp(`127\\.0\\.0\\.1|${redisPort}|ECONNREFUSED`));
    redis = await startRedis(redisPort);
    await eventually(async () => ((await ready()) === 200 ? true : undefined), 60000);
  });
});
