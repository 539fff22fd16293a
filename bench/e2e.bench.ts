/**
 * The whole pipeline under load: four service processes on the real Kafka, Redis, OpenSearch
 * and S3, a loopback source site serving article pages with photo-like JPEGs of realistic sizes
 * (1–6 MP, 3:2 and 4:3), items submitted through `POST /v1/items`.
 * - capacity: N items submitted at once; items/s from the first submission to the last item
 *   searchable in OpenSearch;
 * - latency: items arriving at a steady rate of half that capacity; submission → searchable,
 *   p50/p95/p99 (searchability is polled every 100 ms);
 * - bare-sharp ceiling: the same images and renditions through the service's own MediaRepository
 *   in this process, no queue, HTTP, S3 or Kafka, as many at a time as an image worker runs;
 * - peak RSS (VmHWM) of every service process.
 * Run: `npx tsx bench/e2e.bench.ts [--items N] [--latency-items N] [--scale N]` (`--scale 2`:
 * two instances each of enrichment and image-processing).
 */
/* eslint-disable @typescript-eslint/no-restricted-imports -- the ceiling uses image-processing's own renderer and settings */
import 'reflect-metadata';
import { loadConfig } from '@curation/config';
import { createOpenSearchClient } from '@curation/search';
import { createS3Client } from '@curation/storage';
import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { imageProcessingConfigSchema } from '../services/image-processing/src/config/image-processing.config';
import { MediaRepository } from '../services/image-processing/src/repositories/media.repository';
import { photoJpeg } from '../test/support/photo-images';
import {
  indexedIds,
  percentile,
  removeBucket,
  removeConsumerGroups,
  removeQueues,
  submitUntilAccepted,
} from '../test/e2e/support/pipeline-checks';
import {
  Pipeline,
  SERVICE_NAMES,
  infraEnvironment,
  isolatedEnvironment,
  startGroupsAtTopicEnds,
} from '../test/e2e/support/pipeline.harness';
import { SourceSite, articleHtml } from '../test/e2e/support/source-site';
import { uniqueName } from '../test/support/test-environment';

const { values: args } = parseArgs({
  options: {
    items: { type: 'string', default: '1000' },
    'latency-items': { type: 'string' },
    scale: { type: 'string', default: '1' },
    images: { type: 'string', default: '24' },
  },
});
const ITEMS = Number(args.items);
const LATENCY_ITEMS = Number(args['latency-items'] ?? Math.min(ITEMS, 200));
const SCALE = Number(args.scale);
const DISTINCT_IMAGES = Number(args.images);
const TOPIC = 'HIMSS: Digital Health';
const SUBMIT_CONCURRENCY = 16;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/** 1–6 MP, alternating 3:2 and 4:3, the same list every run. */
async function photos(count: number): Promise<Buffer[]> {
  return Promise.all(
    Array.from({ length: count }, (_, index) => {
      const megapixels = 1 + ((index * 7) % 6);
      const aspect = index % 2 === 0 ? 1.5 : 4 / 3;
      const width = Math.round(Math.sqrt(megapixels * 1e6 * aspect));
      return photoJpeg(width, Math.round(width / aspect), index + 1);
    }),
  );
}

/** Resolves each item's submission → searchable time; one OpenSearch query per 100 ms for all pending. */
class SearchableWatcher {
  readonly submittedAt = new Map<string, number>();
  readonly searchableAt = new Map<string, number>();
  private running = true;
  private readonly loop: Promise<void>;

  constructor(search: ReturnType<typeof createOpenSearchClient>, alias: string) {
    this.loop = (async () => {
      while (this.running) {
        const pending = [...this.submittedAt.keys()].filter((id) => !this.searchableAt.has(id));
        if (pending.length > 0) {
          const now = Date.now();
          for (const id of await indexedIds(search, alias, pending).catch(
            () => new Set<string>(),
          )) {
            this.searchableAt.set(id, now);
          }
        }
        await sleep(100);
      }
    })();
  }

  async until(ids: string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (ids.some((id) => !this.searchableAt.has(id))) {
      if (Date.now() > deadline) {
        const missing = ids.filter((id) => !this.searchableAt.has(id)).length;
        throw new Error(`${missing} of ${ids.length} items not searchable within ${timeoutMs} ms`);
      }
      await sleep(100);
    }
  }

  latencies(ids: string[]): number[] {
    return ids
      .map((id) => this.searchableAt.get(id)! - this.submittedAt.get(id)!)
      .sort((a, b) => a - b);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

async function main(): Promise<void> {
  const runId = uniqueName('e2ebench');
  const infra = infraEnvironment();
  const alias = `${runId}-content`;
  const search = createOpenSearchClient(infra.OPENSEARCH_URL);
  const s3 = createS3Client({
    S3_ENDPOINT: infra.S3_ENDPOINT,
    S3_REGION: infra.S3_REGION ?? 'us-east-1',
    S3_ACCESS_KEY_ID: infra.S3_ACCESS_KEY_ID,
    S3_SECRET_ACCESS_KEY: infra.S3_SECRET_ACCESS_KEY,
  });
  const environment = {
    ...infra,
    ...isolatedEnvironment(runId),
    LOG_LEVEL: 'warn',
    OPENPROJECT_URL: 'http://127.0.0.1:9/openproject-unused',
    OPENPROJECT_SWEEP_INTERVAL_SECONDS: '0',
    FETCH_ALLOW_HOSTS: '127.0.0.1',
    // Every page is on 127.0.0.1: per-host politeness would serialise the whole run.
    PAGE_FETCH_HOST_INTERVAL_MS: '0',
    IMAGE_FETCH_HOST_INTERVAL_MS: '0',
    SEARCH_INDEX_REPLICAS: '0',
  };
  // The services' image settings, read the way image-processing reads them.
  const imageConfig = loadConfig(imageProcessingConfigSchema, environment);
  console.log(
    `e2e bench: ${ITEMS} items (latency phase ${LATENCY_ITEMS}), ${SCALE} instance(s) of enrichment ` +
      `and image-processing, ${availableParallelism()} CPUs, renditions ` +
      imageConfig.IMAGE_RENDITIONS.map((spec) => `${spec.name}:${spec.width}:${spec.format}`).join(
        ',',
      ) +
      `, JPEG ${imageConfig.IMAGE_JPEG_ENCODER}, image worker concurrency ${imageConfig.IMAGE_WORKER_CONCURRENCY}`,
  );

  let started = performance.now();
  const images = await photos(DISTINCT_IMAGES);
  const averageBytes = images.reduce((sum, image) => sum + image.length, 0) / images.length;
  console.log(
    `${images.length} distinct photos generated in ${((performance.now() - started) / 1000).toFixed(1)} s, ` +
      `mean ${Math.round(averageBytes / 1024)} KB`,
  );

  const site = new SourceSite();
  await site.start();
  const page = (path: string, index: number) => {
    const image = site.image(`/images/${index % images.length}.jpg`, images[index % images.length]);
    return site.page(path, articleHtml(`Benchmark item ${path}`, image, 6));
  };

  await startGroupsAtTopicEnds(infra.KAFKA_BROKERS.split(','), runId);
  started = performance.now();
  const pipeline = await Pipeline.start({
    environment,
    logDir: mkdtempSync(join(tmpdir(), 'e2e-bench-')),
    instances: { enrichment: SCALE, 'image-processing': SCALE },
  });
  console.log(`services live in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const watcher = new SearchableWatcher(search, alias);

  const submit = async (url: string) => {
    const submittedAt = Date.now();
    const { itemId } = await submitUntilAccepted(() => pipeline.url('ingestion'), {
      url,
      topics: [TOPIC],
    });
    if (!watcher.submittedAt.has(itemId)) watcher.submittedAt.set(itemId, submittedAt);
    return itemId;
  };

  const media = new MediaRepository(imageConfig);
  const settings = {
    jpeg: { encoder: imageConfig.IMAGE_JPEG_ENCODER, quality: imageConfig.IMAGE_JPEG_QUALITY },
    webp: { quality: imageConfig.IMAGE_WEBP_QUALITY, effort: imageConfig.IMAGE_WEBP_EFFORT },
    avif: { quality: imageConfig.IMAGE_AVIF_QUALITY, effort: imageConfig.IMAGE_AVIF_EFFORT },
    background: imageConfig.IMAGE_BACKGROUND,
    placeholderWidth: imageConfig.IMAGE_PLACEHOLDER_WIDTH,
  };
  /** Images/s of header check + decode once + every rendition, in memory, worker concurrency. */
  const bareSharp = async (count: number): Promise<number> => {
    const begin = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: imageConfig.IMAGE_WORKER_CONCURRENCY * SCALE }, async () => {
        while (next < count) {
          const image = images[next++ % images.length];
          const header = await media.readHeader(image);
          if (!header.ok) throw new Error(`bench image refused: ${header.detail}`);
          const rendered = await media.render(image, imageConfig.IMAGE_RENDITIONS, settings);
          if (!rendered.ok) throw new Error(`bench image failed: ${rendered.detail}`);
        }
      }),
    );
    return count / ((performance.now() - begin) / 1000);
  };

  try {
    // Warm-up: connections, JIT, codecs, the index and bucket.
    const warmUp = await Promise.all(
      [0, 1, 2, 3].map((index) => submit(page(`/warm/${index}`, index))),
    );
    await watcher.until(warmUp, 120000);
    await bareSharp(4);
    const ceilingBefore = await bareSharp(Math.max(2 * images.length, 24));

    // Capacity: everything at once.
    const capacityIds: string[] = [];
    const capacityStart = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: SUBMIT_CONCURRENCY }, async () => {
        while (next < ITEMS) {
          const index = next++;
          capacityIds.push(await submit(page(`/capacity/${index}`, index)));
        }
      }),
    );
    const submittedIn = (Date.now() - capacityStart) / 1000;
    await watcher.until(capacityIds, Math.max(300000, ITEMS * 2000));
    const capacityEnd = Math.max(...capacityIds.map((id) => watcher.searchableAt.get(id)!));
    const capacity = ITEMS / ((capacityEnd - capacityStart) / 1000);
    const burst = watcher.latencies(capacityIds);
    console.log(
      `capacity: ${ITEMS} items searchable in ${((capacityEnd - capacityStart) / 1000).toFixed(1)} s = ` +
        `${capacity.toFixed(2)} items/s (all submitted within ${submittedIn.toFixed(1)} s; ` +
        `burst latency p50 ${(percentile(burst, 0.5) / 1000).toFixed(1)} s, max ${(burst.at(-1)! / 1000).toFixed(1)} s)`,
    );

    const ceilingAfter = await bareSharp(Math.max(2 * images.length, 24));
    const ceiling = (ceilingBefore + ceilingAfter) / 2;
    console.log(
      `bare-sharp ceiling (same images, same renditions, ${imageConfig.IMAGE_WORKER_CONCURRENCY * SCALE} at a time, ` +
        `in memory): ${ceilingBefore.toFixed(2)} and ${ceilingAfter.toFixed(2)} images/s, mean ${ceiling.toFixed(2)}`,
    );

    // Latency: a steady arrival rate of half the measured capacity.
    const rate = capacity / 2;
    const latencyIds: string[] = [];
    const steadyStart = Date.now();
    const submissions: Promise<void>[] = [];
    for (let index = 0; index < LATENCY_ITEMS; index++) {
      await sleep(Math.max(0, steadyStart + (index * 1000) / rate - Date.now()));
      submissions.push(
        submit(page(`/steady/${index}`, index)).then((id) => void latencyIds.push(id)),
      );
    }
    await Promise.all(submissions);
    await watcher.until(latencyIds, 300000);
    const latencies = watcher.latencies(latencyIds);
    const [p50, p95, p99] = [0.5, 0.95, 0.99].map((fraction) => percentile(latencies, fraction));

    const rss = pipeline.peakRss();
    console.log(
      `latency at ${rate.toFixed(2)} items/s (half of capacity), ${LATENCY_ITEMS} items, submission → searchable: ` +
        `p50 ${p50} ms, p95 ${p95} ms, p99 ${p99} ms, max ${latencies.at(-1)} ms`,
    );
    console.log(
      `peak RSS (VmHWM): ${Object.entries(rss)
        .map(([key, bytes]) => `${key} ${mb(bytes)}`)
        .join(', ')}`,
    );
    const ratio = capacity / ceiling;
    console.log(
      `RESULT ${capacity.toFixed(2)} items/s end to end vs bare-sharp ${ceiling.toFixed(2)} images/s: ` +
        `ratio ${ratio.toFixed(2)} (goal >= 0.70); p99 ${p99} ms at half capacity (goal < 2000 ms)`,
    );
  } finally {
    await watcher.stop();
    const codes = await pipeline.stop();
    await site.stop();
    await search.indices.delete({ index: `${runId}-*` }).catch(() => undefined);
    await removeQueues(infra.REDIS_URL, runId).catch(() => undefined);
    await removeConsumerGroups(infra.KAFKA_BROKERS.split(','), runId, SERVICE_NAMES).catch(
      () => undefined,
    );
    await removeBucket(s3, runId).catch((error: Error) =>
      console.error(`bucket ${runId} not removed: ${error.message}`),
    );
    if (Object.values(codes).some((code) => code !== 0)) {
      console.error(`service exit codes: ${JSON.stringify(codes)}`);
    }
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);
