import { Topic, itemIdForUrl, itemIdForWorkPackage } from '@curation/contracts';
import { PrivateKafka } from '../../../test/e2e/support/private-kafka';
import {
  eventually,
  KafkaEventCollector,
  StandInOpenProject,
  uniqueName,
  webhookBody,
  workPackageJson,
} from '@curation/testing';
import { webhookSignature } from './services/webhook-signature';
import { startIngestion, type IngestionHarness } from './testing/ingestion-app.harness';

const SECRET = 'kafka-unreachable-secret';
const PUBLISH_TIMEOUT_MS = 3000;
/** The answer may come a little after the bound: the event loop and the HTTP round trip. */
const ANSWER_SLACK_MS = 2000;

interface Answer {
  status: number;
  retryAfter: string | null;
  body: Record<string, unknown>;
  elapsedMs: number;
}

/**
 * The edge where Kafka is away while a caller waits: a webhook or a submission answers 503 with
 * Retry-After within INGESTION_PUBLISH_TIMEOUT_MS, whether the broker is down (SIGKILL) or
 * stalled (SIGSTOP), and after it is back nothing is lost: the work package whose webhook got
 * 503 is published by the reconciliation sweep (OpenProject never re-sends a non-2xx answer),
 * the submission by the client sending it again. The broker is the test's own, so crashing it
 * disturbs no other test.
 */
describe('ingestion while Kafka is unreachable (a broker of its own, real Redis)', () => {
  const prefix = uniqueName('kafka-unreachable');
  const kafka = new PrivateKafka();
  const openProject = new StandInOpenProject();
  let ingestion: IngestionHarness;
  let brokers: string[];

  const workPackageItem = (id: number) => itemIdForWorkPackage(openProject.baseUrl, id);

  async function start(): Promise<IngestionHarness> {
    return startIngestion({
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_CLIENT_ID_PREFIX: prefix,
      INGESTION_REDIS_KEY_PREFIX: prefix,
      INGESTION_PUBLISH_TIMEOUT_MS: String(PUBLISH_TIMEOUT_MS),
      OPENPROJECT_URL: openProject.baseUrl,
      OPENPROJECT_API_KEY: openProject.apiKey,
      OPENPROJECT_WEBHOOK_SECRET: SECRET,
      OPENPROJECT_TYPE_ID: '7',
      OPENPROJECT_RETRY_BUDGET_SECONDS: '60',
    });
  }

  async function timed(path: string, body: string, headers: Record<string, string> = {}) {
    const started = Date.now();
    const response = await fetch(`${ingestion.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(60000),
    });
    const answer: Answer = {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: (await response.json()) as Record<string, unknown>,
      elapsedMs: Date.now() - started,
    };
    return answer;
  }

  function sendWebhook(workPackageId: number, lockVersion: number) {
    // Changed now, as an editor's save would: the sweep lists what changed since its last run.
    const workPackage = workPackageJson({
      id: workPackageId,
      lockVersion,
      updatedAt: new Date().toISOString(),
    });
    openProject.put(workPackage);
    const body = webhookBody('work_package:updated', workPackage);
    return timed('/webhooks/openproject', body, {
      'x-op-signature': webhookSignature(body, SECRET),
    });
  }

  function submit(url: string) {
    return timed('/v1/items', JSON.stringify({ url, topics: ['Digital Health'] }));
  }

  /** The client's side of Retry-After: the same request again until it is taken. */
  async function resendUntilAccepted(url: string, timeoutMs = 60000): Promise<Answer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = await submit(url);
      if (answer.status === 202 || Date.now() > deadline) return answer;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  function expectUnavailableWithinBound(answer: Answer, what: string, fault: string): void {
    console.log(`${what} with the broker ${fault}: ${answer.status} after ${answer.elapsedMs} ms`);
    expect(answer.status).toBe(503);
    expect(answer.retryAfter).toMatch(/^\d+$/);
    expect(String(answer.body.message)).toMatch(/could not be stored \(Kafka: /);
    expect(answer.elapsedMs).toBeLessThan(PUBLISH_TIMEOUT_MS + ANSWER_SLACK_MS);
  }

  async function reconcile(): Promise<Record<string, unknown>> {
    const response = await fetch(`${ingestion.url}/v1/reconcile`, { method: 'POST' });
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  }

  beforeAll(async () => {
    await openProject.start();
    brokers = [await kafka.start()];
    ingestion = await start();
  }, 180000);

  afterAll(async () => {
    await ingestion?.close();
    await kafka.remove();
    await openProject.stop();
  });

  it('a stopped broker (SIGKILL): 503 within the bound; then the sweep publishes the work package, the client resends the submission', async () => {
    await kafka.kill();
    const webhook = await sendWebhook(9101, 3);
    expectUnavailableWithinBound(webhook, 'webhook', 'killed');
    const url = `https://killed-broker.example/${prefix}`;
    expectUnavailableWithinBound(await submit(url), 'submission', 'killed');

    // Nothing the refused instance still holds can publish: recovery must not depend on it.
    await ingestion.close();
    await kafka.start();
    ingestion = await start();
    const collector = await KafkaEventCollector.start(
      brokers,
      [Topic.OpenProjectWebhook, Topic.ItemReceived],
      prefix,
    );
    try {
      // Recovered by the sweep: OpenProject dropped the event it got 503 for.
      const report = await reconcile();
      expect(report.outcomes).toMatchObject({ received: 1 });
      const [received] = await collector.waitFor(Topic.ItemReceived, workPackageItem(9101));
      expect(received.revision).toBe(3);
      expect(collector.events(Topic.OpenProjectWebhook, workPackageItem(9101))).toHaveLength(0);

      // Recovered by the client: the submission is sent again and taken.
      const resentAt = Date.now();
      const resent = await resendUntilAccepted(url);
      expect(resent.status).toBe(202);
      expect(resent.body.itemId).toBe(itemIdForUrl(url));
      const [submitted] = await collector.waitFor(Topic.ItemReceived, itemIdForUrl(url));
      expect(submitted.revision).toBeGreaterThanOrEqual(resentAt);
    } finally {
      await collector.stop();
    }
  });

  it('a stalled broker (SIGSTOP): 503 within the bound; after SIGCONT the work package is published once, the resent submission is taken', async () => {
    const collector = await KafkaEventCollector.start(
      brokers,
      [Topic.OpenProjectWebhook, Topic.ItemReceived],
      prefix,
    );
    try {
      const url = `https://stalled-broker.example/${prefix}`;
      let webhook: Answer | undefined;
      let submission: Answer | undefined;
      // Stalled long enough for both answers; SIGCONT comes whatever happens.
      await Promise.all([
        kafka.stall(PUBLISH_TIMEOUT_MS * 2 + 2000),
        (async () => {
          await new Promise((resolve) => setTimeout(resolve, 300));
          [webhook, submission] = await Promise.all([sendWebhook(9102, 5), submit(url)]);
        })(),
      ]);
      expectUnavailableWithinBound(webhook!, 'webhook', 'stalled');
      expectUnavailableWithinBound(submission!, 'submission', 'stalled');

      // Recovered by the client, as above.
      const resentAt = Date.now();
      const resent = await resendUntilAccepted(url);
      expect(resent.status).toBe(202);
      // The timed-out write may land too once the broker resumes: an earlier revision, harmless.
      const resentEvent = await eventually(async () =>
        collector
          .events(Topic.ItemReceived, itemIdForUrl(url))
          .find((event) => event.revision >= resentAt),
      );
      expect(resentEvent.data.url).toBe(url);

      // Recovered by the sweep, or earlier by the timed-out write landing once the broker
      // resumed (kafkajs cannot cancel it): either way published exactly once, by lockVersion.
      await reconcile();
      const received = await collector.waitFor(Topic.ItemReceived, workPackageItem(9102));
      expect(received.map((event) => event.revision)).toEqual([5]);
      const lateWrite = collector.events(Topic.OpenProjectWebhook, workPackageItem(9102)).length;
      console.log(
        `stalled broker: work package 9102 published by ${lateWrite ? 'the late webhook write' : 'the sweep'}`,
      );
    } finally {
      await collector.stop();
    }
  });
});
