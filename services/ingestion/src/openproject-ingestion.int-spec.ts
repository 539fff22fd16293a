import { Topic, itemIdForWorkPackage } from '@curation/contracts';
import { ConfigError } from '@curation/config';
import { register } from 'prom-client';
import {
  eventually,
  KafkaEventCollector,
  REFERENCE_ATTACHMENT,
  REFERENCE_BODY_HTML,
  REFERENCE_SUBJECT,
  REFERENCE_UPDATED_AT,
  REFERENCE_URL,
  StandInOpenProject,
  STATUS,
  TASK_TYPE,
  uniqueName,
  webhookBody,
  workPackageJson,
  type WorkPackageOptions,
} from '@curation/testing';
import { webhookSignature } from './services/webhook-signature';
import {
  kafkaAndRedis,
  startIngestion,
  type IngestionHarness,
} from './testing/ingestion-app.harness';

const SECRET = 'integration-webhook-secret';

describe('ingestion of OpenProject work packages (real Kafka and Redis, stand-in OpenProject)', () => {
  const prefix = uniqueName('ingestion-op');
  const openProject = new StandInOpenProject();
  let ingestion: IngestionHarness;
  let collector: KafkaEventCollector;

  const itemId = (workPackageId: number) =>
    itemIdForWorkPackage(openProject.baseUrl, workPackageId);

  function put(options: WorkPackageOptions & { id: number }) {
    const workPackage = workPackageJson(options);
    openProject.put(workPackage);
    return workPackage;
  }

  async function post(path: string, body: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${ingestion.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  function sendWebhook(body: string, signature = webhookSignature(body, SECRET)) {
    return post('/webhooks/openproject', body, { 'x-op-signature': signature });
  }

  async function outcomeCount(outcome: string): Promise<number> {
    const metric = register.getSingleMetric('curation_openproject_work_packages_total');
    const values = (await metric?.get())?.values ?? [];
    return values
      .filter((value) => value.labels.outcome === outcome && value.labels.trigger === 'webhook')
      .reduce((sum, value) => sum + value.value, 0);
  }

  async function waitForOutcomes(outcome: string, atLeast: number): Promise<void> {
    const deadline = Date.now() + 30000;
    while ((await outcomeCount(outcome)) < atLeast) {
      if (Date.now() > deadline) throw new Error(`no ${atLeast} "${outcome}" outcomes within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  beforeAll(async () => {
    await openProject.start();
    collector = await KafkaEventCollector.start(
      kafkaAndRedis().KAFKA_BROKERS,
      [Topic.OpenProjectWebhook, Topic.ItemReceived, Topic.ItemRemoved],
      prefix,
    );
    put({ id: 7614 });
    ingestion = await startIngestion({
      KAFKA_CLIENT_ID_PREFIX: prefix,
      INGESTION_REDIS_KEY_PREFIX: prefix,
      OPENPROJECT_URL: openProject.baseUrl,
      OPENPROJECT_API_KEY: openProject.apiKey,
      OPENPROJECT_WEBHOOK_SECRET: SECRET,
      OPENPROJECT_TYPE_ID: '7',
      OPENPROJECT_RETRY_BUDGET_SECONDS: '120',
    });
  });

  afterAll(async () => {
    await ingestion?.close();
    await collector?.stop();
    await openProject.stop();
  });

  it('publishes one received event with every mapped field for a signed webhook of work package 7614', async () => {
    const answer = await sendWebhook(webhookBody('work_package:updated', workPackageJson()));
    expect(answer).toEqual({ status: 202, body: { status: 'accepted', itemId: itemId(7614) } });

    const [received] = await collector.waitFor(Topic.ItemReceived, itemId(7614));
    expect(received.revision).toBe(9);
    expect(received.data).toEqual({
      source: 'openproject',
      workPackage: {
        id: 7614,
        baseUrl: openProject.baseUrl,
        lockVersion: 9,
        updatedAt: REFERENCE_UPDATED_AT,
        typeName: 'Curated Content',
        statusName: 'New',
      },
      url: REFERENCE_URL,
      originalUrl: REFERENCE_URL,
      title: REFERENCE_SUBJECT,
      descriptionHtml: REFERENCE_BODY_HTML,
      topics: ['HIMSS: Digital Health'],
      attachment: {
        id: REFERENCE_ATTACHMENT.id,
        fileName: 'Curated_Featured_Image.jpg',
        contentType: 'image/jpeg',
        fileSize: REFERENCE_ATTACHMENT.fileSize,
        link: '/api/v3/attachments/16644/content',
        downloadUrl: `${openProject.baseUrl}/api/v3/attachments/16644/content`,
        digest: { algorithm: 'md5', hash: '7d6fbbe0ae6b1a4ef5b2b3c0b1c8c2a4' },
      },
      updatedAt: REFERENCE_UPDATED_AT,
      customFields: {
        cleanUrl: REFERENCE_URL,
        medigyTopics: ['HIMSS: Digital Health'],
        sourceUrl: REFERENCE_URL,
      },
    });
    const raw = collector.events(Topic.OpenProjectWebhook, itemId(7614));
    expect(raw).toHaveLength(1);
    expect(raw[0].data).toMatchObject({
      action: 'work_package:updated',
      workPackageId: 7614,
      lockVersion: 9,
    });
    const apiCalls = openProject.requestsTo('/api/v3/work_packages/7614');
    expect(apiCalls.length).toBeGreaterThan(0);
    expect(apiCalls[0].authorization).toBe(
      `Basic ${Buffer.from(`apikey:${openProject.apiKey}`).toString('base64')}`,
    );
  });

  it('publishes the same revision once, whether delivered again later or twice at the same time', async () => {
    await collector.waitFor(Topic.ItemReceived, itemId(7614));
    const duplicatesBefore = await outcomeCount('duplicate');
    const body = webhookBody('work_package:updated', workPackageJson());
    const answers = await Promise.all([sendWebhook(body), sendWebhook(body), sendWebhook(body)]);
    expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202]);
    await waitForOutcomes('duplicate', duplicatesBefore + 3);
    expect(collector.events(Topic.ItemReceived, itemId(7614))).toHaveLength(1);

    put({ id: 7621 });
    const fresh = webhookBody('work_package:created', workPackageJson({ id: 7621 }));
    await Promise.all([sendWebhook(fresh), sendWebhook(fresh)]);
    await collector.waitFor(Topic.ItemReceived, itemId(7621));
    await waitForOutcomes('duplicate', duplicatesBefore + 4);
    expect(collector.events(Topic.ItemReceived, itemId(7621))).toHaveLength(1);
  });

  it('answers 401 to a bad or missing signature and publishes nothing', async () => {
    put({ id: 7700 });
    const body = webhookBody('work_package:updated', workPackageJson({ id: 7700 }));
    expect((await sendWebhook(body, webhookSignature(body, 'wrong-secret'))).status).toBe(401);
    expect((await post('/webhooks/openproject', body)).status).toBe(401);
    const tampered = body.replace('NHSX', 'NHSY');
    expect((await sendWebhook(tampered, webhookSignature(body, SECRET))).status).toBe(401);
    // The raw event is written before 202: once a later webhook is in, the refused ones are not.
    put({ id: 7701 });
    await sendWebhook(webhookBody('work_package:updated', workPackageJson({ id: 7701 })));
    await collector.waitFor(Topic.OpenProjectWebhook, itemId(7701));
    expect(collector.events(Topic.OpenProjectWebhook, itemId(7700))).toHaveLength(0);
    await collector.waitFor(Topic.ItemReceived, itemId(7701));
    expect(collector.events(Topic.ItemReceived, itemId(7700))).toHaveLength(0);
  });

  it('answers 400 to malformed JSON and to bodies without action or work package', async () => {
    for (const body of [
      '{"action": "work_package:updated", ',
      '[]',
      '{"work_package": {"id": 7702}}',
    ]) {
      const answer = await sendWebhook(body);
      expect(answer.status).toBe(400);
    }
    const missing = await sendWebhook('{"action":"work_package:updated"}');
    expect(missing.status).toBe(400);
    expect(missing.body.problems).toEqual([expect.stringMatching(/^work_package/)]);
  });

  it('acknowledges actions the pipeline does not handle without publishing them', async () => {
    const body = JSON.stringify({ action: 'time_entry:created', time_entry: { id: 5 } });
    const answer = await sendWebhook(body);
    expect(answer).toEqual({
      status: 202,
      body: { status: 'ignored', reason: 'unhandled-action' },
    });
  });

  it('ignores a work package of another type', async () => {
    put({ id: 7616, type: TASK_TYPE });
    const body = webhookBody(
      'work_package:created',
      workPackageJson({ id: 7616, type: TASK_TYPE }),
    );
    const answer = await sendWebhook(body);
    expect(answer).toEqual({ status: 202, body: { status: 'ignored', reason: 'other-type' } });
    // Reached the edge as curated, but the API says otherwise by the time it is resolved.
    put({ id: 7622, type: TASK_TYPE });
    const ignoredBefore = await outcomeCount('ignored-type');
    await sendWebhook(webhookBody('work_package:updated', workPackageJson({ id: 7622 })));
    await waitForOutcomes('ignored-type', ignoredBefore + 1);
    expect(collector.events(Topic.ItemReceived, itemId(7616))).toHaveLength(0);
    expect(collector.events(Topic.ItemReceived, itemId(7622))).toHaveLength(0);
  });

  it('publishes removed when a work package moves to an unpublished status', async () => {
    put({ id: 7617, lockVersion: 2 });
    await sendWebhook(
      webhookBody('work_package:created', workPackageJson({ id: 7617, lockVersion: 2 })),
    );
    await collector.waitFor(Topic.ItemReceived, itemId(7617));

    const rejected = put({
      id: 7617,
      lockVersion: 3,
      status: STATUS.rejected,
      updatedAt: '2021-09-02T10:00:00Z',
    });
    await sendWebhook(webhookBody('work_package:updated', rejected));
    const [removed] = await collector.waitFor(Topic.ItemRemoved, itemId(7617));
    expect(removed.revision).toBe(3);
    expect(removed.data).toEqual({ reason: 'unpublished-status', detail: 'Rejected' });
  });

  it('waits while the OpenProject API is down and publishes once it is back', async () => {
    put({ id: 7615 });
    openProject.available = false;
    try {
      const answer = await sendWebhook(
        webhookBody('work_package:updated', workPackageJson({ id: 7615 })),
      );
      expect(answer.status).toBe(202);
      // Three refused loads: the resolver keeps waiting and publishes nothing meanwhile.
      await eventually(async () =>
        openProject.requestsTo('/api/v3/work_packages/7615').length >= 3 ? true : undefined,
      );
      expect(collector.events(Topic.ItemReceived, itemId(7615))).toHaveLength(0);
    } finally {
      openProject.available = true;
    }
    const [received] = await collector.waitFor(Topic.ItemReceived, itemId(7615), 1, 60000);
    expect(received.data.workPackage?.id).toBe(7615);
  });

  it('finds deletions, type changes and missed webhooks in the reconciliation sweep', async () => {
    for (const id of [7618, 7620]) {
      put({ id });
      await sendWebhook(webhookBody('work_package:created', workPackageJson({ id })));
      await collector.waitFor(Topic.ItemReceived, itemId(id));
    }
    openProject.workPackages.delete(7618);
    put({ id: 7620, lockVersion: 10, type: TASK_TYPE, updatedAt: '2021-09-03T10:00:00Z' });
    put({ id: 7619, subject: 'Created while the webhook was lost' });

    const sweep = await post('/v1/reconcile', '');
    expect(sweep.status).toBe(200);

    const [deleted] = await collector.waitFor(Topic.ItemRemoved, itemId(7618));
    expect(deleted.data).toEqual({ reason: 'deleted-upstream' });
    expect(deleted.revision).toBe(10);
    const [retyped] = await collector.waitFor(Topic.ItemRemoved, itemId(7620));
    expect(retyped.data).toEqual({ reason: 'type-changed', detail: 'Task' });
    const [missed] = await collector.waitFor(Topic.ItemReceived, itemId(7619));
    expect(missed.data.title).toBe('Created while the webhook was lost');
    // Everything else was published already: the sweep does not publish it again.
    expect(collector.events(Topic.ItemReceived, itemId(7614))).toHaveLength(1);
    // 7700's webhook was refused (bad signature): the sweep finds it as well.
    await collector.waitFor(Topic.ItemReceived, itemId(7700));
    expect(sweep.body.outcomes).toMatchObject({ received: 2, removed: 2 });

    const again = await post('/v1/reconcile', '');
    expect(again.status).toBe(200);
    expect(again.body.since).not.toBeNull();
    expect(collector.events(Topic.ItemRemoved, itemId(7618))).toHaveLength(1);
  });

  it('refuses to start with a configured but wrong mapping', async () => {
    const environment = {
      KAFKA_CLIENT_ID_PREFIX: `${prefix}-wrong`,
      INGESTION_REDIS_KEY_PREFIX: `${prefix}-wrong`,
      OPENPROJECT_URL: openProject.baseUrl,
      OPENPROJECT_API_KEY: openProject.apiKey,
      OPENPROJECT_WEBHOOK_SECRET: SECRET,
      OPENPROJECT_TYPE_ID: '7',
    };
    await expect(
      startIngestion({ ...environment, OPENPROJECT_CF_CLEAN_URL: '99' }),
    ).rejects.toThrow(/customField99/);
    await expect(startIngestion({ ...environment, OPENPROJECT_TYPE_ID: '999' })).rejects.toThrow(
      ConfigError,
    );
    await expect(startIngestion({ ...environment, OPENPROJECT_API_KEY: 'wrong' })).rejects.toThrow(
      /OPENPROJECT_API_KEY/,
    );
  });
});
