import { Topic, itemIdForWorkPackage } from '@curation/contracts';
import { EventPublisher } from '@curation/kafka';
import { register } from 'prom-client';
import {
  eventually,
  type HalObject,
  KafkaEventCollector,
  REFERENCE_URL,
  StandInOpenProject,
  STATUS,
  uniqueName,
  webhookBody,
  workPackageJson,
  type WorkPackageOptions,
} from '@curation/testing';
import { webhookSignature } from '../services/webhook-signature';
import {
  kafkaAndRedis,
  startIngestion,
  type IngestionHarness,
} from '../testing/ingestion-app.harness';

const SECRET = 'write-back-webhook-secret';
const SEARCH_PUBLIC_URL = 'https://search.example.org';

describe('publish gate and write-back comments (real Kafka and Redis, stand-in OpenProject)', () => {
  const prefix = uniqueName('write-back');
  const openProject = new StandInOpenProject();
  let ingestion: IngestionHarness;
  let collector: KafkaEventCollector;
  let publisher: EventPublisher;

  const itemId = (workPackageId: number) =>
    itemIdForWorkPackage(openProject.baseUrl, workPackageId);

  function put(options: WorkPackageOptions & { id: number }): HalObject {
    const workPackage = workPackageJson(options);
    openProject.put(workPackage);
    return workPackage;
  }

  async function sendWebhook(workPackage: HalObject, action = 'work_package:updated') {
    const body = webhookBody(action, workPackage);
    const response = await fetch(`${ingestion.url}/webhooks/openproject`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-op-signature': webhookSignature(body, SECRET),
      },
      body,
    });
    expect(response.status).toBe(202);
  }

  async function counted(metric: string, labels: Record<string, string>): Promise<number> {
    const values = (await register.getSingleMetric(metric)?.get())?.values ?? [];
    return values
      .filter((value) => Object.entries(labels).every(([key, v]) => value.labels[key] === v))
      .reduce((sum, value) => sum + value.value, 0);
  }

  /** Publishes a work package through the gate: its `received` is the item's revision. */
  async function publishThroughGate(id: number): Promise<number> {
    const workPackage = put({ id, status: STATUS.approved });
    await sendWebhook(workPackage, 'work_package:created');
    const [received] = await collector.waitFor(Topic.ItemReceived, itemId(id));
    return received.revision;
  }

  function indexed(id: number, revision: number, extra: Record<string, unknown> = {}) {
    return publisher.publish(Topic.ItemIndexed, {
      itemId: itemId(id),
      revision,
      data: {
        index: 'curated-content',
        documentKey: `${itemId(id)}.md`,
        bucket: 'curation',
        path: '/news/nhsx-sets-out-digital-guidance-for-nhs-trusts',
        url: REFERENCE_URL,
        ...extra,
      },
    });
  }

  beforeAll(async () => {
    await openProject.start();
    collector = await KafkaEventCollector.start(
      kafkaAndRedis().KAFKA_BROKERS,
      [Topic.ItemReceived, Topic.ItemRemoved],
      prefix,
    );
    ingestion = await startIngestion({
      KAFKA_CLIENT_ID_PREFIX: prefix,
      KAFKA_NEW_GROUP_START: 'latest',
      INGESTION_REDIS_KEY_PREFIX: prefix,
      QUEUE_PREFIX: prefix,
      OPENPROJECT_URL: openProject.baseUrl,
      OPENPROJECT_API_KEY: openProject.apiKey,
      OPENPROJECT_WEBHOOK_SECRET: SECRET,
      OPENPROJECT_TYPE_ID: '7',
      OPENPROJECT_PUBLISH_STATUSES: 'Approved',
      SEARCH_PUBLIC_URL,
    });
    publisher = ingestion.app.get(EventPublisher);
    // The write-back group starts at the end of the topics: it must hold its partitions first.
    await eventually(async () => {
      await indexed(1, 1);
      return (await counted('curation_openproject_write_back_total', {
        outcome: 'published',
        result: 'no-work-package',
      })) > 0
        ? true
        : undefined;
    }, 60000);
  });

  afterAll(async () => {
    await ingestion?.close();
    await collector?.stop();
    await openProject.stop();
  });

  it('publishes an approved work package and takes one in status New off the site (gate)', async () => {
    const fresh = put({ id: 8101, status: STATUS.new });
    await sendWebhook(fresh, 'work_package:created');
    await publishThroughGate(8102);
    // 8102's received is in, and 8101's webhook came first on its own partition: resolved by now.
    await eventually(async () =>
      (await counted('curation_openproject_work_packages_total', {
        outcome: 'ignored-unpublished',
      })) > 0
        ? true
        : undefined,
    );
    expect(collector.events(Topic.ItemReceived, itemId(8101))).toHaveLength(0);

    const unapproved = put({ id: 8102, lockVersion: 10, status: STATUS.inProgress });
    await sendWebhook(unapproved);
    const [removed] = await collector.waitFor(Topic.ItemRemoved, itemId(8102));
    expect(removed.data).toEqual({ reason: 'unpublished-status', detail: 'In progress' });
    await eventually(async () => (openProject.commentsOn(8102).length > 0 ? true : undefined));
    expect(openProject.commentsOn(8102)[0].raw).toContain('**removed**');
    expect(openProject.commentsOn(8102)[0].raw).toContain('In progress');
  });

  it('adds one published comment with the document link and the editor notes, however often indexed is redelivered', async () => {
    const revision = await publishThroughGate(8103);
    const extra = {
      canonicalUrl: 'https://www.healthcareitnews.com/news/nhsx-guidance',
      attachmentUnused: { problem: 'corrupt', reason: 'the file is not a readable image' },
    };
    for (let delivery = 0; delivery < 4; delivery++) await indexed(8103, revision, extra);
    await eventually(async () => (openProject.commentsOn(8103).length > 0 ? true : undefined));
    await eventually(async () =>
      (await counted('curation_openproject_write_back_total', {
        outcome: 'published',
        result: 'duplicate',
      })) +
        (await counted('curation_openproject_write_back_total', {
          outcome: 'published',
          result: 'queued',
        })) >=
      4
        ? true
        : undefined,
    );
    // Let any late duplicate job run before counting.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const comments = openProject.commentsOn(8103);
    expect(comments).toHaveLength(1);
    expect(comments[0].raw).toContain('**published**');
    expect(comments[0].raw).toContain(`\`${itemId(8103)}\``);
    expect(comments[0].raw).toContain(`${SEARCH_PUBLIC_URL}/v1/items/${itemId(8103)}/document`);
    expect(comments[0].raw).toContain('another canonical URL');
    expect(comments[0].raw).toContain('the file is not a readable image');

    // Another OpenProject's work package 8103 (same id, another item id) is none of ours.
    await publisher.publish(Topic.ItemIndexed, {
      itemId: itemIdForWorkPackage('https://other-openproject.example.org', 8103),
      revision,
      data: {
        index: 'curated-content',
        documentKey: 'x.md',
        bucket: 'curation',
        workPackageId: 8103,
      },
    });

    // A second work package of the same article (enrichment's rule) is told about the first.
    const second = await publishThroughGate(8104);
    await indexed(8104, second, { sameArticleAs: itemId(8103) });
    await eventually(async () => (openProject.commentsOn(8104).length > 0 ? true : undefined));
    expect(openProject.commentsOn(8104)[0].raw).toContain('already curated as work package #8103');
  });

  it('runs nothing for the webhook OpenProject sends about the pipeline’s own comment', async () => {
    const revision = await publishThroughGate(8105);
    openProject.onComment = (workPackage) => void sendWebhook(workPackage);
    try {
      const unchangedBefore = await counted('curation_openproject_work_packages_total', {
        outcome: 'unchanged',
      });
      await indexed(8105, revision);
      await eventually(async () => (openProject.commentsOn(8105).length > 0 ? true : undefined));
      expect(openProject.workPackages.get(8105)?.lockVersion).toBe(revision + 1);
      await eventually(async () =>
        (await counted('curation_openproject_work_packages_total', { outcome: 'unchanged' })) >
        unchangedBefore
          ? true
          : undefined,
      );
      expect(collector.events(Topic.ItemReceived, itemId(8105))).toHaveLength(1);
    } finally {
      openProject.onComment = undefined;
    }
  });

  it('adds a failure comment with the stage, the reason and what the editor can do', async () => {
    const revision = await publishThroughGate(8106);
    const failure = {
      itemId: itemId(8106),
      revision,
      data: { stage: 'enrichment' as const, reason: 'HTTP 404', attempts: 5, retryable: false },
    };
    await publisher.publish(Topic.ItemFailed, failure);
    await publisher.publish(Topic.ItemFailed, failure);
    await eventually(async () => (openProject.commentsOn(8106).length > 0 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const comments = openProject.commentsOn(8106);
    expect(comments).toHaveLength(1);
    expect(comments[0].raw).toContain('**failed** at enrichment');
    expect(comments[0].raw).toContain('after 5 attempts');
    expect(comments[0].raw).toContain('Reason: HTTP 404');
    expect(comments[0].raw).toContain('fix the URL');
  });

  it('counts a refused comment (403) and goes on; the item is not failed by it', async () => {
    const revision = await publishThroughGate(8107);
    const before = await counted('curation_openproject_write_back_total', { result: 'rejected' });
    openProject.commentStatus = 403;
    try {
      await indexed(8107, revision);
      await eventually(async () =>
        (await counted('curation_openproject_write_back_total', { result: 'rejected' })) > before
          ? true
          : undefined,
      );
    } finally {
      openProject.commentStatus = undefined;
    }
    expect(openProject.commentsOn(8107)).toHaveLength(0);
    // Still serving and writing back.
    const next = await publishThroughGate(8108);
    await indexed(8108, next);
    await eventually(async () => (openProject.commentsOn(8108).length > 0 ? true : undefined));
  });

  it('keeps a comment while OpenProject is away and adds it once when it is back', async () => {
    const revision = await publishThroughGate(8109);
    openProject.available = false;
    try {
      await indexed(8109, revision);
      await indexed(8109, revision);
      await eventually(async () =>
        openProject.requestsTo('/api/v3/work_packages/8109/activities').length >= 2
          ? true
          : undefined,
      );
    } finally {
      openProject.available = true;
    }
    await eventually(
      async () => (openProject.commentsOn(8109).length > 0 ? true : undefined),
      60000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(openProject.commentsOn(8109)).toHaveLength(1);
  });
});
