import { Topic } from '@curation/contracts';
import { createOpenSearchClient } from '@curation/search';
import { createS3Client } from '@curation/storage';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniqueName } from '../support/test-environment';
import { photoJpeg } from '../support/photo-images';
import {
  DEAD_LETTER_TOPICS,
  documentCount,
  indexedIds,
  objectKeys,
  queueCounts,
  removeBucket,
  removeQueues,
  submitUntilAccepted,
  topicMessageCounts,
} from './support/pipeline-checks';
import { Pipeline, infraEnvironment, isolatedEnvironment } from './support/pipeline.harness';
import { PrivateKafka } from './support/private-kafka';
import { SourceSite, articleHtml } from './support/source-site';

/** Items in the run (E2E_CRASH_ITEMS): 500 took 3 min 4 s here (2 CPUs shared, load 8), so it is the default. */
const ITEMS = Number(process.env.E2E_CRASH_ITEMS ?? 500);
/** Submissions per second while the crashes happen. */
const RATE = Number(process.env.E2E_CRASH_RATE ?? 4);
const TOPIC = 'HIMSS: Digital Health';

const random = (min: number, max: number) => min + Math.random() * (max - min);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Crash safety: while items flow through four service processes (two instances each of
 * enrichment and image-processing in one consumer group), every service is SIGKILLed once at
 * a random moment and restarted, and the Kafka broker is restarted once. At the end every item
 * is indexed exactly once, nothing waits in a queue and no dead-letter topic holds anything.
 * The broker is this test's own (restarting the shared one would break other tests); Redis,
 * OpenSearch and S3 are the shared servers under names of this run.
 */
describe('crash safety: SIGKILLed services and a restarted broker lose and duplicate nothing', () => {
  const runId = uniqueName('crash');
  const infra = infraEnvironment();
  const kafka = new PrivateKafka();
  const site = new SourceSite();
  const logDir = mkdtempSync(join(tmpdir(), 'e2e-crash-'));
  const search = createOpenSearchClient(infra.OPENSEARCH_URL);
  const s3 = createS3Client({
    S3_ENDPOINT: infra.S3_ENDPOINT,
    S3_REGION: infra.S3_REGION ?? 'us-east-1',
    S3_ACCESS_KEY_ID: infra.S3_ACCESS_KEY_ID,
    S3_SECRET_ACCESS_KEY: infra.S3_SECRET_ACCESS_KEY,
  });
  const alias = `${runId}-content`;
  let pipeline: Pipeline | undefined;
  let finished = false;

  beforeAll(async () => {
    await site.start();
    const photos = await Promise.all(
      Array.from({ length: 6 }, (_, index) => photoJpeg(1200 + index * 80, 800, index + 1)),
    );
    for (let index = 0; index < ITEMS; index++) {
      const image = site.image(`/images/${index}.jpg`, photos[index % photos.length]);
      site.page(`/articles/${index}`, articleHtml(`Crash-safe item ${index}`, image, 3));
    }
    const brokers = await kafka.start();
    pipeline = await Pipeline.start({
      logDir,
      supervise: true,
      instances: { enrichment: 2, 'image-processing': 2 },
      environment: {
        ...infra,
        ...isolatedEnvironment(runId),
        KAFKA_BROKERS: brokers,
        LOG_LEVEL: 'warn',
        OPENPROJECT_URL: 'http://127.0.0.1:9/openproject-unused',
        OPENPROJECT_SWEEP_INTERVAL_SECONDS: '0',
        FETCH_ALLOW_HOSTS: '127.0.0.1',
        PAGE_FETCH_HOST_INTERVAL_MS: '0',
        PAGE_FETCH_BACKOFF_MS: '500',
        // Crash safety is about delivery, not encoders: two JPEG renditions keep the CPU for the run.
        IMAGE_RENDITIONS: 'featuredImage:1000:jpeg,thumbnail:320:jpeg',
        IMAGE_WORKER_CONCURRENCY: '2',
        SEARCH_INDEX_REPLICAS: '0',
      },
    });
  }, 300000);

  afterAll(async () => {
    finished = true;
    await pipeline?.stop();
    await kafka.remove();
    await site.stop();
    if (process.env.E2E_KEEP_ARTIFACTS !== '1') {
      await search.indices.delete({ index: `${runId}-*` }).catch(() => undefined);
      await removeQueues(infra.REDIS_URL, runId).catch(() => undefined);
      await removeBucket(s3, runId).catch(() => undefined);
    }
    process.stderr.write(`crash-safety service logs: ${logDir}\n`);
  }, 120000);

  it(`indexes each of ${ITEMS} items exactly once through the crashes`, async () => {
    const p = pipeline!;
    const started = Date.now();
    const ids = new Set<string>();
    let retriedSubmissions = 0;
    let lastAccepted = started;

    const submitting = (async () => {
      const inFlight = new Set<Promise<void>>();
      for (let index = 0; index < ITEMS && !finished; index++) {
        const submission = submitUntilAccepted(
          () => p.url('ingestion'),
          { url: `${site.origin}/articles/${index}`, topics: [TOPIC] },
          180000,
          () => finished,
        ).then(({ itemId, attempts }) => {
          ids.add(itemId);
          if (attempts > 1) retriedSubmissions++;
          lastAccepted = Date.now();
        });
        const tracked = submission.finally(() => inFlight.delete(tracked));
        inFlight.add(tracked);
        await sleep(1000 / RATE);
      }
      await Promise.all(inFlight);
    })();

    // One crash per service and one broker restart, at random moments of the submission window.
    const window = (ITEMS / RATE) * 1000;
    const targets = [
      'ingestion',
      p.keysOf('enrichment')[0],
      p.keysOf('image-processing')[0],
      'search-indexing',
      'kafka',
    ];
    // Each crash on its own timer, so a slow broker restart does not push the others back.
    const crashes: string[] = [];
    const chaos = Promise.all(
      targets.map(async (target) => {
        const at = random(0.1, 0.9) * window;
        await sleep(at);
        const downMs = Math.round(random(500, 3000));
        const crashStarted = Date.now();
        if (target === 'kafka') {
          await kafka.restart();
        } else {
          await p.kill(target);
          await sleep(downMs);
          await p.restart(target);
        }
        crashes.push(
          `${target} at ${(at / 1000).toFixed(0)} s, back after ${((Date.now() - crashStarted) / 1000).toFixed(1)} s`,
        );
      }),
    );
    await Promise.all([submitting, chaos]);
    expect(ids.size).toBe(ITEMS);
    const submittedAt = Date.now();

    const mine = [...ids];
    let indexed = new Set<string>();
    const deadline = Date.now() + Math.max(300000, ITEMS * 1500);
    while (Date.now() < deadline) {
      indexed = await indexedIds(search, alias, mine);
      if (indexed.size === ITEMS) break;
      await sleep(2000);
    }
    // Late duplicates would show up here: give in-flight redeliveries time to land.
    await sleep(5000);

    const documents = await documentCount(search, alias);
    const markdownKeys = await objectKeys(s3, runId, '.md');
    const queues = await queueCounts(infra.REDIS_URL, runId);
    const brokers = [kafka.endpoint];
    const deadLetters = await topicMessageCounts(brokers, DEAD_LETTER_TOPICS);
    const events = await topicMessageCounts(brokers, [
      Topic.ItemReceived,
      Topic.ItemEnriched,
      Topic.ItemImaged,
      Topic.ItemIndexed,
      Topic.ItemFailed,
    ]);
    const restarts = Object.fromEntries(
      [...p.instances.values()].map((instance) => [
        instance.key,
        {
          starts: instance.starts,
          failedStarts: instance.failedStarts,
          unexpectedExits: instance.unexpectedExits,
        },
      ]),
    );
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(
      [
        `crash safety: ${ITEMS} items in ${seconds.toFixed(0)} s (${(ITEMS / seconds).toFixed(2)} items/s; ` +
          `last submission accepted after ${((lastAccepted - started) / 1000).toFixed(0)} s, ` +
          `crashes over after ${((submittedAt - started) / 1000).toFixed(0)} s)`,
        `  crashes: ${crashes.join('; ')}`,
        `  submissions retried while ingestion or Kafka was down: ${retriedSubmissions}`,
        `  OpenSearch: ${indexed.size}/${ITEMS} of this run's items, ${documents} documents in ${alias}`,
        `  S3: ${markdownKeys.length} .md objects in ${runId}`,
        `  queues: ${JSON.stringify(queues)}`,
        `  dead letters: ${JSON.stringify(deadLetters)}`,
        `  events (duplicates are redeliveries, absorbed downstream): ${JSON.stringify(events)}`,
        `  processes: ${JSON.stringify(restarts)}`,
      ].join('\n') + '\n',
    );

    expect(indexed.size).toBe(ITEMS);
    expect(documents).toBe(ITEMS);
    expect(markdownKeys.sort()).toEqual(mine.map((id) => `${id}.md`).sort());
    for (const counts of Object.values(queues)) {
      expect({
        waiting: counts.waiting,
        active: counts.active,
        delayed: counts.delayed,
        prioritized: counts.prioritized,
      }).toEqual({ waiting: 0, active: 0, delayed: 0, prioritized: 0 });
    }
    expect(Object.values(deadLetters).reduce((sum, count) => sum + count, 0)).toBe(0);
    expect(events[Topic.ItemFailed]).toBe(0);
    expect(crashes).toHaveLength(targets.length);
  }, 1800000);
});
