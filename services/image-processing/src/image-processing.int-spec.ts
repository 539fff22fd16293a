import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { loadConfig } from '@curation/config';
import {
  QueueName,
  Topic,
  createEvent,
  parseEvent,
  type EventOf,
  type FeaturedImage,
} from '@curation/contracts';
import { EventPublisher } from '@curation/kafka';
import { ObjectStorageRepository, createS3Client } from '@curation/storage';
import { eventually, startGroupAtEnd, uniqueName } from '@curation/testing';
import {
  animatedGif,
  cmykJpeg,
  exifRotatedJpeg,
  hugePng,
  photoJpeg,
  transparentPng,
} from '@curation/testing/photo-images';
import { QueueEvents, type Queue } from 'bullmq';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import sharp from 'sharp';
import { imageProcessingConfigSchema } from './config/image-processing.config';
import { ImageProcessingModule } from './image-processing.module';
import type { ImageRenderJob } from './image-render.job';
import { MediaRepository } from './repositories/media.repository';
import { enrichedData } from './testing/enriched-data.fixture';
import { ImageProcessingService } from './services/image-processing.service';

// The project's testTimeout does not reach hooks here; broker joins and retried jobs take seconds.
jest.setTimeout(120_000);

const API_KEY = 'test-api-key';
const BASIC = `Basic ${Buffer.from(`apikey:${API_KEY}`).toString('base64')}`;

interface Served {
  status?: number;
  contentType?: string;
  body?: Buffer;
  /** Sends the body in 64 KB chunks without a Content-Length. */
  chunked?: boolean;
  /** Sends the headers and a few bytes, then nothing. */
  stall?: boolean;
  redirect?: string;
  requireAuth?: boolean;
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler);
  return new Promise<{ server: Server; origin: string }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

describe('image-processing against real Redis, S3 and Kafka', () => {
  const prefix = uniqueName('imgtest');
  const config = loadConfig(imageProcessingConfigSchema, {
    ...process.env,
    KAFKA_CLIENT_ID_PREFIX: prefix,
    KAFKA_RETRY_INITIAL_DELAY_MS: '50',
    S3_BUCKET: prefix,
    QUEUE_PREFIX: prefix,
    FETCH_ALLOW_HOSTS: '127.0.0.1',
    // Replaced by the loopback image server's origin once it listens.
    OPENPROJECT_URL: 'http://openproject.invalid',
    OPENPROJECT_API_KEY: API_KEY,
    IMAGE_FETCH_TIMEOUT_MS: '1500',
    IMAGE_WORKER_CONCURRENCY: '2',
    // Worker only: a consumer of the shared `enriched` topic would also take other runs' items.
    IMAGE_CONSUME_ENRICHED: 'false',
    // The slow path (opt-in): WebP and AVIF after `imaged`. No `indexed` arrives here (nothing
    // consumes Kafka): the slow renditions start at once.
    IMAGE_DEFERRED_FORMATS: 'webp,avif',
    IMAGE_DEFERRED_DELAY_MS: '0',
    LOG_LEVEL: 'warn',
  });
  const kafka = new Kafka({
    clientId: `${prefix}-probe`,
    brokers: config.KAFKA_BROKERS,
    logLevel: logLevel.NOTHING,
  });
  const routes = new Map<string, Served>();
  const seenAuthorization = new Map<string, string | undefined>();
  const storage = new ObjectStorageRepository(createS3Client(config), config.S3_BUCKET);
  let images: { server: Server; origin: string };
  let otherOrigin: { server: Server; origin: string };
  let app: INestApplication;
  let service: ImageProcessingService;
  let queueEvents: QueueEvents;
  let imagedConsumer: Consumer;
  const imaged: Array<EventOf<typeof Topic.ItemImaged>> = [];
  const renditionsAdded: Array<EventOf<typeof Topic.ItemRenditionsAdded>> = [];
  const myItems = new Set<string>();
  let peakRss = 0;
  const rssSampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);

  function serve(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '/';
    seenAuthorization.set(path, req.headers.authorization);
    const route = routes.get(path);
    if (!route) {
      res.writeHead(404).end('not found');
      return;
    }
    if (route.requireAuth && req.headers.authorization !== BASIC) {
      res.writeHead(401).end('unauthorised');
      return;
    }
    if (route.redirect) {
      res.writeHead(302, { location: route.redirect }).end();
      return;
    }
    const body = route.body ?? Buffer.alloc(0);
    if (route.stall) {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      res.write(body.subarray(0, 100));
      return;
    }
    if (route.chunked) {
      res.writeHead(200, { 'content-type': route.contentType ?? 'image/jpeg' });
      let offset = 0;
      const pump = () => {
        while (offset < body.length) {
          const chunk = body.subarray(offset, offset + 65536);
          offset += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => (offset = body.length));
      pump();
      return;
    }
    res
      .writeHead(route.status ?? 200, {
        'content-type': route.contentType ?? 'application/octet-stream',
        'content-length': body.length,
      })
      .end(body);
  }

  beforeAll(async () => {
    images = await listen(serve);
    otherOrigin = await listen(serve);
    await startGroupAtEnd(kafka, `${prefix}-imaged-probe`, [
      Topic.ItemImaged,
      Topic.ItemRenditionsAdded,
    ]);

    imagedConsumer = kafka.consumer({ groupId: `${prefix}-imaged-probe` });
    await imagedConsumer.connect();
    await imagedConsumer.subscribe({
      topics: [Topic.ItemImaged, Topic.ItemRenditionsAdded],
      fromBeginning: true,
    });
    await imagedConsumer.run({
      eachMessage: async ({ topic, message }) => {
        if (topic === Topic.ItemRenditionsAdded) {
          const event = parseEvent(Topic.ItemRenditionsAdded, message.value);
          if (myItems.has(event.itemId)) renditionsAdded.push(event);
          return;
        }
        const event = parseEvent(Topic.ItemImaged, message.value);
        // By id: a rebalance (the renditions topic appearing) may deliver a message twice.
        if (myItems.has(event.itemId) && !imaged.some(({ id }) => id === event.id)) {
          imaged.push(event);
        }
      },
    });

    // The attachment test's OpenProject is the loopback image server.
    config.OPENPROJECT_URL = images.origin;
    const moduleRef = await Test.createTestingModule({
      imports: [ImageProcessingModule.forRoot(config)],
    }).compile();
    app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
    await app.init();
    service = app.get(ImageProcessingService);
    queueEvents = new QueueEvents(QueueName.ImageRender, {
      connection: { url: config.REDIS_URL },
      prefix,
    });
    await queueEvents.waitUntilReady();
  });

  afterAll(async () => {
    clearInterval(rssSampler);
    await imagedConsumer?.disconnect();
    const queues = [QueueName.ImageRender, QueueName.ImageRenditions].map((name) =>
      app?.get<Queue>(getQueueToken(name)),
    );
    await queueEvents?.close();
    await app?.close();
    for (const queue of queues) await queue?.obliterate({ force: true }).catch(() => undefined);
    images?.server.closeAllConnections();
    otherOrigin?.server.closeAllConnections();
    images?.server.close();
    otherOrigin?.server.close();
  });

  /** Serves `body` at a fresh path and runs one job for a new item whose og:image it is. */
  async function renderServed(
    route: Served,
    revision = 1,
  ): Promise<{ itemId: string; image: FeaturedImage }> {
    const path = `/${randomUUID()}`;
    routes.set(path, route);
    const itemId = randomUUID();
    myItems.add(itemId);
    const event = createEvent(Topic.ItemEnriched, {
      itemId,
      revision,
      data: enrichedData([{ url: `${images.origin}${path}`, source: 'og:image' }]),
    });
    return { itemId, image: await run(event) };
  }

  async function run(event: EventOf<typeof Topic.ItemEnriched>): Promise<FeaturedImage> {
    const jobId = await service.enqueue(event);
    const queue = app.get<Queue<ImageRenderJob, FeaturedImage>>(
      getQueueToken(QueueName.ImageRender),
    );
    const job = await queue.getJob(jobId);
    return job!.waitUntilFinished(queueEvents, 60000);
  }

  it('renders a 1500x999 photo to the reference 1000x666 JPEG and stores every rendition on S3', async () => {
    const source = await photoJpeg(1500, 999);
    const { itemId, image } = await renderServed({ body: source, contentType: 'image/jpeg' });
    expect(image).toMatchObject({
      valid: true,
      source: 'og:image',
      main: { key: `${itemId}-featuredImage.jpeg`, format: 'jpeg', width: 1000, height: 666 },
    });
    // What the document needs to go live; WebP and AVIF follow from the slow job.
    expect(image.renditions.map(({ key, width, height }) => [key, width, height])).toEqual([
      [`${itemId}-featuredImage.jpeg`, 1000, 666],
      [`${itemId}-thumbnail.jpeg`, 320, 213],
    ]);
    const added = await eventually(async () =>
      renditionsAdded.find((event) => event.itemId === itemId),
    );
    expect(added.data.renditions.map(({ key, width, height }) => [key, width, height])).toEqual([
      [`${itemId}-featuredImage.webp`, 1000, 666],
      [`${itemId}-featuredImage.avif`, 1000, 666],
    ]);
    for (const rendition of [...image.renditions, ...added.data.renditions]) {
      const head = await storage.head(rendition.key);
      expect(head).toMatchObject({
        contentType: rendition.contentType,
        contentLength: rendition.bytes,
        metadata: { sha256: rendition.sha256 },
      });
    }
    const stored = await storage.get(`${itemId}-featuredImage.jpeg`);
    const metadata = await sharp(stored!).metadata();
    expect([metadata.format, metadata.width, metadata.height, metadata.isProgressive]).toEqual([
      'jpeg',
      1000,
      666,
      true,
    ]);
  });

  it('downloads the attachment with the API key and does not carry the key across origins', async () => {
    const source = await photoJpeg(1500, 1000, 2);
    routes.set('/api/v3/attachments/16644/content', {
      requireAuth: true,
      redirect: `${otherOrigin.origin}/storage/16644.jpg`,
    });
    routes.set('/storage/16644.jpg', { body: source, contentType: 'image/jpeg' });
    const itemId = randomUUID();
    myItems.add(itemId);
    const image = await run(
      createEvent(Topic.ItemEnriched, {
        itemId,
        revision: 1,
        data: enrichedData([], {
          attachment: {
            id: 16644,
            fileName: 'Curated_Featured_Image.jpg',
            contentType: 'image/jpeg',
            fileSize: source.length,
            link: '/api/v3/attachments/16644/content',
            downloadUrl: `${images.origin}/api/v3/attachments/16644/content`,
          },
        }),
      }),
    );
    expect(image).toMatchObject({
      valid: true,
      source: 'attachment',
      main: { height: 667, width: 1000 },
      wpAttachment: {
        fileName: 'Curated_Featured_Image.jpg',
        link: '/api/v3/attachments/16644/content',
      },
    });
    expect(seenAuthorization.get('/api/v3/attachments/16644/content')).toBe(BASIC);
    expect(seenAuthorization.get('/storage/16644.jpg')).toBeUndefined();
  });

  describe('bad input ends in a rendition or a clear reason, and the next job runs', () => {
    it('refuses a 20000x20000 PNG by its header, without decoding it', async () => {
      const bomb = await hugePng(20000, 20000);
      const before = peakRss;
      const { image } = await renderServed({ body: bomb, contentType: 'image/png' });
      expect(image).toMatchObject({ valid: false, problem: 'too-many-pixels' });
      expect(image.reason).toContain('20000x20000 exceeds 50000000 pixels');
      // Decoding it would take 1.2 GB.
      expect(peakRss - before).toBeLessThan(200 * 1024 * 1024);
    });

    it('refuses HTML served as image/jpeg', async () => {
      const { image } = await renderServed({
        body: Buffer.from('<!doctype html><html><body>Sorry, hotlinking</body></html>'),
        contentType: 'image/jpeg',
      });
      expect(image).toMatchObject({ valid: false, problem: 'unsupported-format' });
    });

    it('refuses a truncated JPEG instead of publishing a grey image', async () => {
      const whole = await photoJpeg(1500, 999, 4);
      const { image } = await renderServed({
        body: whole.subarray(0, Math.floor(whole.length / 2)),
        contentType: 'image/jpeg',
      });
      expect(image).toMatchObject({ valid: false, problem: 'corrupt' });
      expect(image.reason).toMatch(/premature end/i);
    });

    it('converts a CMYK JPEG to sRGB', async () => {
      const { image } = await renderServed({
        body: await cmykJpeg(1200, 800),
        contentType: 'image/jpeg',
      });
      expect(image).toMatchObject({
        valid: true,
        main: { height: 667, width: 1000 },
        original: { format: 'jpeg' },
      });
      const stored = await sharp((await storage.get(image.main!.key))!).metadata();
      expect([stored.space, stored.channels]).toEqual(['srgb', 3]);
    });

    it('flattens a transparent PNG for JPEG', async () => {
      const { image } = await renderServed({
        body: await transparentPng(1200, 600),
        contentType: 'image/png',
      });
      expect(image).toMatchObject({ valid: true, main: { height: 500, width: 1000 } });
      const stored = await sharp((await storage.get(image.main!.key))!).metadata();
      expect([stored.channels, stored.hasAlpha]).toEqual([3, false]);
    });

    it('turns an EXIF-rotated photo upright', async () => {
      const { image } = await renderServed({
        body: await exifRotatedJpeg(1500, 1000),
        contentType: 'image/jpeg',
      });
      // Stored 1500 wide, displayed 1000 wide and 1500 tall.
      expect(image).toMatchObject({ valid: true, main: { height: 1500, width: 1000 } });
      const stored = await sharp((await storage.get(image.main!.key))!).metadata();
      expect([stored.width, stored.height, stored.orientation]).toEqual([1000, 1500, undefined]);
    });

    it('uses the first frame of an animated GIF', async () => {
      const { image } = await renderServed({
        body: await animatedGif(400, 300),
        contentType: 'image/gif',
      });
      expect(image).toMatchObject({
        valid: true,
        main: { height: 300, width: 400 },
        original: { format: 'gif' },
      });
    });

    it('stops a 40 MB download at the byte cap', async () => {
      const header = await photoJpeg(800, 600, 5);
      const body = Buffer.concat([header, Buffer.alloc(40 * 1024 * 1024 - header.length, 7)]);
      const { image } = await renderServed({ body, chunked: true });
      expect(image).toMatchObject({ valid: false, problem: 'too-large' });
    });

    it('gives up on a stalled download after its retries', async () => {
      const { image } = await renderServed({ body: await photoJpeg(800, 600, 6), stall: true });
      expect(image).toMatchObject({ valid: false, problem: 'fetch-failed' });
      expect(image.reason).toMatch(/timeout/);
    });

    it('reports a 404', async () => {
      const { image } = await renderServed({ status: 404, body: Buffer.from('gone') });
      expect(image).toMatchObject({ valid: false, problem: 'fetch-failed' });
      expect(image.reason).toMatch(/HTTP 404/);
    });

    it('still renders the next good image, with memory bounded throughout', async () => {
      const { image } = await renderServed({ body: await photoJpeg(2400, 1600, 8) });
      expect(image).toMatchObject({ valid: true, main: { height: 667, width: 1000 } });
      expect(peakRss).toBeLessThan(900 * 1024 * 1024);
    });
  });

  it('consumes enriched from Kafka and publishes imaged; a redelivery adds nothing, a new revision publishes again without re-rendering', async () => {
    // A second instance of the service that consumes Kafka, alive only for this test so it
    // takes as few of other runs' `enriched` events as possible.
    await startGroupAtEnd(kafka, `${prefix}.image-processing`, [Topic.ItemEnriched]);
    const consuming = await Test.createTestingModule({
      imports: [ImageProcessingModule.forRoot({ ...config, IMAGE_CONSUME_ENRICHED: true })],
    }).compile();
    const consumerApp = consuming.createNestApplication({ logger: ['error', 'warn'] });
    await consumerApp.init();
    const renders = jest.spyOn(MediaRepository.prototype, 'render');
    try {
      const publisher = app.get(EventPublisher);
      const source = await photoJpeg(1500, 999, 9);
      routes.set('/kafka.jpg', { body: source, contentType: 'image/jpeg' });
      const itemId = randomUUID();
      myItems.add(itemId);
      const data = enrichedData([{ url: `${images.origin}/kafka.jpg`, source: 'og:image' }]);

      await publisher.publish(Topic.ItemEnriched, { itemId, revision: 1, data });
      const first = await eventually(async () => imaged.find((event) => event.itemId === itemId));
      expect(first.revision).toBe(1);
      expect(first.data.featuredImage.main).toMatchObject({ width: 1000, height: 666 });
      expect(first.data.article.title).toBe('An article');
      const stored = await storage.head(`${itemId}-featuredImage.jpeg`);
      // Revision 1's slow job then rewrites the manifest, and S3Proxy's filesystem store replaces
      // an object by deleting it before renaming the new one in: a read in that instant finds
      // nothing and renders again (harmless, but not what this test counts). Its
      // `renditions-added`, published once the manifest is written, says it is done.
      await eventually(async () => renditionsAdded.find((event) => event.itemId === itemId));

      await publisher.publish(Topic.ItemEnriched, { itemId, revision: 1, data });
      await publisher.publish(Topic.ItemEnriched, { itemId, revision: 2, data });
      const second = await eventually(async () =>
        imaged.find((event) => event.itemId === itemId && event.revision === 2),
      );
      // The same stored renditions; revision 2 may already carry the slow ones too.
      expect(second.data.featuredImage.renditions).toEqual(
        expect.arrayContaining(first.data.featuredImage.renditions),
      );
      // Rendered once for both revisions (calls for other runs' items have other bytes).
      expect(renders.mock.calls.filter(([bytes]) => bytes.equals(source))).toHaveLength(1);
      expect(await storage.head(`${itemId}-featuredImage.jpeg`)).toEqual(stored);
      // Give a duplicate of revision 1 time to show up, if the redelivery had made one.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(
        imaged.filter((event) => event.itemId === itemId).map(({ revision }) => revision),
      ).toEqual([1, 2]);
    } finally {
      renders.mockRestore();
      await consumerApp.close();
    }
  });
});
