import { Test } from '@nestjs/testing';
import { kafkaTestModule } from '../../../test/support/kafka-test-module';
import type { INestApplication } from '@nestjs/common';
import { Topic, deadLetterTopic, itemIdForUrl } from '@curation/contracts';
import { DeadLetterHeader, EventPublisher } from '@curation/kafka';
import { PlatformModule } from '@curation/platform';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { findFreePorts } from '../../../infra/src/free-ports';
import { groupCaughtUp, markTopics } from '../../../test/support/consumer-progress';
import { eventually, testEnvironment, uniqueName } from '../../../test/support/test-environment';
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
        OperationsModule.forRoot({
          redisUrl: `redis://127.0.0.1:${redisPort}`,
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

  it('shows the reason of a failure and of a dead letter, and lists failed items', async () => {
    const failedId = itemIdForUrl(`https://failed.example/${randomUUID()}`);
    const deadId = itemIdForUrl(`https://dead.example/${randomUUID()}`);
    const publisher = app.get(EventPublisher);
    await publisher.publish(Topic.ItemFailed, {
      itemId: failedId,
      revision: 1,
      data: { stage: 'enrichment', reason: 'page answered 404', attempts: 1, retryable: false },
    });
    await publisher.send(deadLetterTopic(Topic.ItemEnriched), [
      {
        key: deadId,
        value: JSON.stringify({ itemId: deadId, revision: 2 }),
        headers: {
          [DeadLetterHeader.Reason]: 'image decode exploded',
          [DeadLetterHeader.Service]: 'image-processing',
          [DeadLetterHeader.Attempts]: '5',
        },
      },
    ]);
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
    await publisher.send(deadLetterTopic(Topic.ItemEnriched), [
      {
        key: refusedId,
        value: JSON.stringify({ itemId: refusedId, revision: 1 }),
        headers: {
          [DeadLetterHeader.Reason]: 'connect ECONNREFUSED 10.9.8.7:9000 (minio.internal:9000)',
          [DeadLetterHeader.Service]: 'image-processing',
        },
      },
    ]);
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
