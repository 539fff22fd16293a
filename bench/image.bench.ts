/**
 * Image throughput of image-processing versus a bare sharp loop, in the same run:
 * - worker path: ImageProcessingService.enqueue → BullMQ (real Redis) → worker → fetch from a
 *   loopback server through the safe client → decode once, renditions → S3 (real) → `imaged`
 *   on Kafka (real);
 * - bare sharp: MediaRepository.readHeader + render on the same bytes in memory, as many at a
 *   time as the worker runs, no queue, HTTP, S3 or Kafka;
 * - with `--naive`, also one sharp pipeline per rendition from the source (decode per rendition).
 * Images: photo-like JPEGs (gradients, waves, shapes, grain), 1–12 MP, generated deterministically.
 * Run: `npx tsx bench/image.bench.ts [--images N] [--concurrency N] [--vips-threads N]
 * [--cache-mb N] [--jpeg mozjpeg|turbo] [--avif-effort N] [--renditions spec] [--naive]`.
 */
/* eslint-disable @typescript-eslint/no-restricted-imports -- a benchmark drives the service's own code, as no other service may */
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@curation/config';
import { QueueName, Topic, createEvent, type FeaturedImage } from '@curation/contracts';
import { QueueEvents, type Queue } from 'bullmq';
import sharp from 'sharp';
import { endpointsToEnv, readEndpoints } from '../infra/src/infra-runner';
import {
  imageProcessingConfigSchema,
  type ImageProcessingConfig,
} from '../services/image-processing/src/config/image-processing.config';
import { ImageProcessingModule } from '../services/image-processing/src/image-processing.module';
import {
  MediaRepository,
  type EncoderSettings,
} from '../services/image-processing/src/repositories/media.repository';
import { ImageProcessingService } from '../services/image-processing/src/services/image-processing.service';
import { photoJpeg } from '../test/support/photo-images';
import { uniqueName } from '../test/support/test-environment';

const { values: args } = parseArgs({
  options: {
    images: { type: 'string', default: '50' },
    concurrency: { type: 'string' },
    'vips-threads': { type: 'string' },
    'cache-mb': { type: 'string' },
    jpeg: { type: 'string' },
    'avif-effort': { type: 'string' },
    renditions: { type: 'string' },
    rounds: { type: 'string', default: '2' },
    naive: { type: 'boolean', default: false },
    /** Internal: writes the generated images into this folder and exits. */
    generate: { type: 'string' },
  },
});

function environment(): Record<string, string | undefined> {
  if (process.env.KAFKA_BROKERS) return process.env;
  const endpoints = readEndpoints();
  if (!endpoints) throw new Error('no infrastructure: run `npm run infra:up` first');
  return { ...process.env, ...endpointsToEnv(endpoints) };
}

const prefix = uniqueName('imgbench');
const config: ImageProcessingConfig = loadConfig(imageProcessingConfigSchema, {
  ...environment(),
  LOG_LEVEL: 'warn',
  KAFKA_CLIENT_ID_PREFIX: prefix,
  S3_BUCKET: prefix,
  QUEUE_PREFIX: prefix,
  FETCH_ALLOW_HOSTS: '127.0.0.1',
  // Jobs come from this bench only, never from other runs' `enriched` events on the shared broker.
  IMAGE_CONSUME_ENRICHED: 'false',
  ...(args.concurrency && { IMAGE_WORKER_CONCURRENCY: args.concurrency }),
  ...(args['vips-threads'] && { IMAGE_VIPS_THREADS: args['vips-threads'] }),
  ...(args['cache-mb'] && { IMAGE_VIPS_CACHE_MB: args['cache-mb'] }),
  ...(args.jpeg && { IMAGE_JPEG_ENCODER: args.jpeg }),
  ...(args['avif-effort'] && { IMAGE_AVIF_EFFORT: args['avif-effort'] }),
  ...(args.renditions && { IMAGE_RENDITIONS: args.renditions }),
});
const settings: EncoderSettings = {
  jpeg: { encoder: config.IMAGE_JPEG_ENCODER, quality: config.IMAGE_JPEG_QUALITY },
  webp: { quality: config.IMAGE_WEBP_QUALITY, effort: config.IMAGE_WEBP_EFFORT },
  avif: { quality: config.IMAGE_AVIF_QUALITY, effort: config.IMAGE_AVIF_EFFORT },
  background: config.IMAGE_BACKGROUND,
  placeholderWidth: config.IMAGE_PLACEHOLDER_WIDTH,
};

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 10);
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/** 1–12 MP, 3:2 and 4:3, the same list every run. */
async function generateInto(folder: string, count: number): Promise<void> {
  mkdirSync(folder, { recursive: true });
  for (let index = 0; index < count; index++) {
    const megapixels = 1 + ((index * 7) % 12);
    const aspect = index % 2 === 0 ? 1.5 : 4 / 3;
    const width = Math.round(Math.sqrt(megapixels * 1e6 * aspect));
    const file = join(folder, `${index}.jpg`);
    if (!existsSync(file)) {
      writeFileSync(file, await photoJpeg(width, Math.round(width / aspect), index + 1));
    }
  }
}

/**
 * Generated in a child process (and kept in the OS temp folder for the next run), so the
 * JavaScript pixel loops' garbage does not inflate the RSS measured here.
 */
function loadImages(count: number): Buffer[] {
  const folder = join(tmpdir(), 'curation-image-bench-v1');
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, __filename, '--generate', folder, '--images', String(count)],
    { stdio: 'inherit' },
  );
  if (child.status !== 0) throw new Error('image generation failed');
  return Array.from({ length: count }, (_, index) => readFileSync(join(folder, `${index}.jpg`)));
}

/** Runs `work` over every item with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

interface Measured {
  perSecond: number;
  peakRss: number;
}

async function measure(
  label: string,
  run: () => Promise<unknown>,
  count: number,
): Promise<Measured> {
  if (global.gc) global.gc();
  peakRss = process.memoryUsage().rss;
  const started = performance.now();
  await run();
  const seconds = (performance.now() - started) / 1000;
  const result = { perSecond: count / seconds, peakRss };
  console.log(
    `${label.padEnd(28)} ${count} images in ${seconds.toFixed(2)} s = ${result.perSecond.toFixed(2)} images/s, peak RSS ${mb(peakRss)}`,
  );
  return result;
}

async function bareSharp(media: MediaRepository, images: Buffer[]) {
  const bytes = new Map<string, number[]>();
  await pool(images, config.IMAGE_WORKER_CONCURRENCY, async (image) => {
    const header = await media.readHeader(image);
    if (!header.ok) throw new Error(`bench image refused: ${header.detail}`);
    const rendered = await media.render(image, config.IMAGE_RENDITIONS, settings);
    if (!rendered.ok) throw new Error(`bench image failed: ${rendered.detail}`);
    for (const { spec, data } of rendered.image.renditions) {
      const key = `${spec.name}.${spec.format}`;
      bytes.set(key, [...(bytes.get(key) ?? []), data.length]);
    }
  });
  return bytes;
}

/** One pipeline per rendition straight from the source: what "decode once" saves. */
async function naiveSharp(images: Buffer[]) {
  await pool(images, config.IMAGE_WORKER_CONCURRENCY, async (image) => {
    await Promise.all(
      config.IMAGE_RENDITIONS.map((spec) => {
        const pipeline = sharp(image, { failOn: config.IMAGE_FAIL_ON, autoOrient: true }).resize({
          width: spec.width,
          withoutEnlargement: true,
        });
        if (spec.format === 'jpeg') {
          return pipeline
            .jpeg({
              quality: settings.jpeg.quality,
              mozjpeg: settings.jpeg.encoder === 'mozjpeg',
              progressive: true,
            })
            .toBuffer();
        }
        return spec.format === 'webp'
          ? pipeline.webp(settings.webp).toBuffer()
          : pipeline.avif(settings.avif).toBuffer();
      }),
    );
  });
}

async function workerPath(app: INestApplication, images: Buffer[], origin: string) {
  const service = app.get(ImageProcessingService);
  const queueEvents = new QueueEvents(QueueName.ImageRender, {
    connection: { url: config.REDIS_URL },
    prefix,
  });
  await queueEvents.waitUntilReady();
  const mine = new Set<string>();
  const results: FeaturedImage[] = [];
  const done = new Promise<void>((resolve, reject) => {
    queueEvents.on('completed', ({ jobId, returnvalue }) => {
      if (!mine.has(jobId)) return;
      results.push(returnvalue as unknown as FeaturedImage);
      if (results.length === images.length) resolve();
    });
    queueEvents.on('failed', ({ jobId, failedReason }) => {
      if (mine.has(jobId)) reject(new Error(failedReason));
    });
  });
  const data = {
    source: 'submission' as const,
    url: 'https://news.example/article',
    originalUrl: 'https://news.example/article',
    topics: ['HIMSS: Digital Health'],
    updatedAt: new Date().toISOString(),
    customFields: {},
    article: { title: 'Bench', bodyHtml: '<p>Bench</p>', description: 'Bench' },
    derived: { brand: 'news.example', slug: 'news-bench' },
    relatedOfferings: [],
  };
  await Promise.all(
    images.map(async (_, index) => {
      const itemId = randomUUID();
      mine.add(`${itemId}_1`);
      await service.enqueue(
        createEvent(Topic.ItemEnriched, {
          itemId,
          revision: 1,
          data: {
            ...data,
            page: {
              finalUrl: 'https://news.example/article',
              htmlMetaData: {},
              openGraphMetaData: {},
              twitterMetaData: {},
              authors: [],
              imageCandidates: [{ url: `${origin}/${index}.jpg`, source: 'og:image' }],
            },
          },
        }),
      );
    }),
  );
  await done;
  await queueEvents.close();
  const invalid = results.filter((image) => !image.valid);
  if (invalid.length > 0) throw new Error(`${invalid.length} images invalid: ${invalid[0].reason}`);
}

async function main(): Promise<void> {
  const count = Number(args.images);
  console.log(
    `image bench: ${count} images, worker concurrency ${config.IMAGE_WORKER_CONCURRENCY} ` +
      `(${availableParallelism()} CPUs), libvips threads ${config.IMAGE_VIPS_THREADS || 'default'}, ` +
      `cache ${config.IMAGE_VIPS_CACHE_MB} MB, JPEG ${config.IMAGE_JPEG_ENCODER}, ` +
      `WebP effort ${config.IMAGE_WEBP_EFFORT}, AVIF effort ${config.IMAGE_AVIF_EFFORT}, renditions ` +
      config.IMAGE_RENDITIONS.map((spec) => `${spec.name}:${spec.width}:${spec.format}`).join(','),
  );
  let started = performance.now();
  const images = loadImages(count);
  const sourceBytes = images.reduce((sum, image) => sum + image.length, 0);
  console.log(
    `generated or loaded in ${((performance.now() - started) / 1000).toFixed(1)} s, ${mb(sourceBytes)} of JPEG`,
  );

  const server: Server = createServer((req, res) => {
    const image = images[Number(/^\/(\d+)\.jpg$/.exec(req.url ?? '')?.[1] ?? -1)];
    if (!image) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': image.length }).end(image);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  started = performance.now();
  const app = await NestFactory.create(ImageProcessingModule.forRoot(config), {
    logger: ['error', 'warn'],
  });
  await app.init();
  console.log(
    `service started in ${((performance.now() - started) / 1000).toFixed(1)} s, RSS ${mb(process.memoryUsage().rss)}`,
  );
  const media = app.get(MediaRepository);

  try {
    // Warm-up of both paths: codecs, JIT, connections and thread pools; then alternate the two
    // paths so the shared machine's load drifts affect both alike.
    await bareSharp(media, images.slice(0, 4));
    await workerPath(app, images.slice(0, 4), origin);
    const bare: Measured[] = [];
    const worker: Measured[] = [];
    for (let round = 1; round <= Number(args.rounds); round++) {
      bare.push(await measure(`bare sharp, round ${round}`, () => bareSharp(media, images), count));
      worker.push(
        await measure(`worker path, round ${round}`, () => workerPath(app, images, origin), count),
      );
    }
    const rate = (runs: Measured[]) =>
      runs.reduce((sum, run) => sum + run.perSecond, 0) / runs.length;
    if (args.naive) {
      const naive = await measure('naive sharp (decode each)', () => naiveSharp(images), count);
      console.log(`decode once vs naive: ${(rate(bare) / naive.perSecond).toFixed(2)}x`);
    }
    const sizes = await bareSharp(media, images.slice(0, Math.min(count, 12)));
    console.log(
      'mean bytes per rendition: ' +
        [...sizes.entries()]
          .map(
            ([key, list]) =>
              `${key} ${Math.round(list.reduce((a, b) => a + b, 0) / list.length / 1024)} KB`,
          )
          .join(', '),
    );
    const ratio = rate(worker) / rate(bare);
    const peak = Math.max(...worker.map((run) => run.peakRss));
    console.log(
      `RESULT worker ${rate(worker).toFixed(2)} images/s vs bare sharp ${rate(bare).toFixed(2)} images/s: ` +
        `ratio ${ratio.toFixed(2)} (goal >= 0.80), worker peak RSS ${mb(peak)} (goal < 600 MB)`,
    );
  } finally {
    const queue = app.get<Queue>(getQueueToken(QueueName.ImageRender));
    await app.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    server.close();
    clearInterval(sampler);
  }
}

/**
 * glibc gives every thread its own malloc arena and libvips' threads fragment them: with
 * MALLOC_ARENA_MAX=2 peak RSS drops by about a third at the same speed, so the service is meant
 * to run with it (or jemalloc), and the benchmark measures it that way.
 */
function rerunWithArenaLimit(): Promise<void> {
  console.log('re-running with MALLOC_ARENA_MAX=2 (set it yourself to measure another value)');
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, __filename, ...process.argv.slice(2)],
    {
      stdio: 'inherit',
      env: { ...process.env, MALLOC_ARENA_MAX: '2' },
    },
  );
  process.exitCode = child.status ?? 1;
  return Promise.resolve();
}

(args.generate
  ? generateInto(args.generate, Number(args.images))
  : process.env.MALLOC_ARENA_MAX
    ? main()
    : rerunWithArenaLimit()
).then(
  () => process.exit(Number(process.exitCode ?? 0)),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);
