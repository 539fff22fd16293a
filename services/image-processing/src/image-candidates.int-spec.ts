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
  type EventDataOf,
  type FeaturedImage,
} from '@curation/contracts';
import { uniqueName } from '@curation/testing';
import { photoJpeg } from '@curation/testing/photo-images';
import { QueueEvents, type Queue } from 'bullmq';
import { imageProcessingConfigSchema } from './config/image-processing.config';
import { ImageProcessingModule } from './image-processing.module';
import type { ImageRenderJob } from './image-render.job';
import { ImageProcessingService } from './services/image-processing.service';
import { enrichedData } from './testing/enriched-data.fixture';

const openProjectEnriched: typeof enrichedData = (candidates, extra = {}) =>
  enrichedData(candidates, { source: 'openproject', ...extra });

jest.setTimeout(120_000);

const API_KEY = 'candidates-api-key';
const BASIC = `Basic ${Buffer.from(`apikey:${API_KEY}`).toString('base64')}`;
const HOST_INTERVAL_MS = 200;
const BUDGET_MS = 2500;
const FETCH_TIMEOUT_MS = 1500;

interface Seen {
  path: string;
  authorization?: string;
  at: number;
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler);
  return new Promise<{ server: Server; port: number }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as AddressInfo).port }),
    ),
  );
}

/**
 * Image candidates, the per-item budget, host politeness, and attachments from a private
 * OpenProject: loopback servers stand in for a site (`localhost`, the only FETCH_ALLOW_HOSTS
 * entry) and for a self-hosted OpenProject (`127.0.0.1`, not allow-listed).
 */
describe('image-processing: candidates, budget, politeness, private OpenProject', () => {
  const prefix = uniqueName('imgcand');
  let photo: Buffer;
  const seen = new Map<string, Seen[]>();
  const stalled = new Set<ServerResponse>();
  let site: { server: Server; port: number };
  let openProject: { server: Server; port: number };
  let otherPort: { server: Server; port: number };
  let app: INestApplication;
  let service: ImageProcessingService;
  let queueEvents: QueueEvents;

  const record = (name: string) => (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    seen.set(name, [
      ...(seen.get(name) ?? []),
      { path, authorization: req.headers.authorization, at: Date.now() },
    ]);
    if (path.startsWith('/stall/')) {
      stalled.add(res);
      res.writeHead(200, { 'content-type': 'image/jpeg' }).write(photo.subarray(0, 100));
    } else if (path === '/api/v3/attachments/77/content') {
      if (req.headers.authorization !== BASIC) res.writeHead(401).end();
      else res.writeHead(200, { 'content-type': 'image/jpeg' }).end(photo);
    } else if (path === '/og.jpg') {
      res.writeHead(200, { 'content-type': 'image/jpeg' }).end(photo);
    } else {
      res.writeHead(404).end('missing');
    }
  };

  beforeAll(async () => {
    photo = await photoJpeg(1200, 800, 3);
    site = await listen(record('site'));
    openProject = await listen(record('openproject'));
    otherPort = await listen(record('other'));
    const config = loadConfig(imageProcessingConfigSchema, {
      ...process.env,
      KAFKA_CLIENT_ID_PREFIX: prefix,
      S3_BUCKET: prefix,
      QUEUE_PREFIX: prefix,
      FETCH_ALLOW_HOSTS: 'localhost',
      // The other server's port is open, so what refuses it below is the address rule.
      FETCH_ALLOWED_PORTS: String(otherPort.port),
      OPENPROJECT_URL: `http://127.0.0.1:${openProject.port}`,
      OPENPROJECT_API_KEY: API_KEY,
      IMAGE_FETCH_TIMEOUT_MS: String(FETCH_TIMEOUT_MS),
      IMAGE_CANDIDATES_BUDGET_MS: String(BUDGET_MS),
      IMAGE_FETCH_HOST_INTERVAL_MS: String(HOST_INTERVAL_MS),
      IMAGE_WORKER_CONCURRENCY: '2',
      IMAGE_CONSUME_ENRICHED: 'false',
      LOG_LEVEL: 'warn',
    });
    const moduleRef = await Test.createTestingModule({
      imports: [ImageProcessingModule.forRoot(config)],
    }).compile();
    app = moduleRef.createNestApplication({ logger: ['error'] });
    await app.init();
    service = app.get(ImageProcessingService);
    queueEvents = new QueueEvents(QueueName.ImageRender, {
      connection: { url: config.REDIS_URL },
      prefix,
    });
    await queueEvents.waitUntilReady();
  });

  afterAll(async () => {
    for (const res of stalled) res.destroy();
    const queue = app?.get<Queue>(getQueueToken(QueueName.ImageRender));
    await queueEvents?.close();
    await app?.close();
    await queue?.obliterate({ force: true }).catch(() => undefined);
    for (const each of [site, openProject, otherPort]) {
      each?.server.closeAllConnections();
      each?.server.close();
    }
  });

  async function runQueued(data: EventDataOf<typeof Topic.ItemEnriched>): Promise<FeaturedImage> {
    const event = createEvent(Topic.ItemEnriched, { itemId: randomUUID(), revision: 1, data });
    const jobId = await service.enqueue(event);
    const queue = app.get<Queue<ImageRenderJob, FeaturedImage>>(
      getQueueToken(QueueName.ImageRender),
    );
    return (await queue.getJob(jobId))!.waitUntilFinished(queueEvents, 60000);
  }

  it('image candidates: a page naming 1,000 images (all 404) makes at most 5 requests, spaced per host, and the item ends with its image outcome', async () => {
    seen.delete('site');
    const imageCandidates = Array.from({ length: 1000 }, (_, n) => ({
      url: `http://localhost:${site.port}/flood/${n}.jpg`,
      source: 'json-ld' as const,
    }));
    const image = await runQueued(openProjectEnriched(imageCandidates));
    expect(image).toMatchObject({ valid: false, problem: 'fetch-failed' });
    expect(image.reason).toContain('HTTP 404');
    expect(image.reason).toContain('995 more candidate(s) not tried (limit 5)');
    const requests = seen.get('site') ?? [];
    expect(requests.length).toBeLessThanOrEqual(5);
    expect(requests.length).toBeGreaterThan(0);
    const gaps = requests.slice(1).map((request, index) => request.at - requests[index].at);
    // Slots are HOST_INTERVAL_MS apart; arrival at the server jitters by a few tens of ms.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(HOST_INTERVAL_MS / 2);
  });

  it('image candidates: candidates that all stall are bounded by the per-item budget', async () => {
    const imageCandidates = Array.from({ length: 5 }, (_, n) => ({
      url: `http://localhost:${site.port}/stall/${n}.jpg`,
      source: 'json-ld' as const,
    }));
    const job: ImageRenderJob = {
      itemId: randomUUID(),
      revision: 1,
      data: openProjectEnriched(imageCandidates),
    };
    const started = Date.now();
    const image = await service.render(job, { attempt: 1, maxAttempts: 1 });
    const elapsed = Date.now() - started;
    // Without the budget: 5 × 1.5 s. With it: one budget plus rendering-free bookkeeping.
    expect(elapsed).toBeLessThan(BUDGET_MS + 1000);
    expect(image).toMatchObject({ valid: false, problem: 'fetch-failed' });
    expect(image.reason).toContain('timeout');
    expect(image.reason).toContain('time budget exhausted');
  });

  it('attachments from a private OpenProject: fetched with the key from OPENPROJECT_URL (not allow-listed); an og:image on the same host but another port is refused; the key reaches no other origin', async () => {
    seen.delete('openproject');
    seen.delete('other');
    const ogOnOtherPort = `http://127.0.0.1:${otherPort.port}/og.jpg`;
    const image = await runQueued(
      openProjectEnriched([{ url: ogOnOtherPort, source: 'og:image' }], {
        attachment: {
          id: 77,
          fileName: 'featured.jpg',
          contentType: 'image/jpeg',
          fileSize: photo.length,
          link: '/api/v3/attachments/77/content',
          downloadUrl: `http://127.0.0.1:${openProject.port}/api/v3/attachments/77/content`,
        },
      }),
    );
    expect(image).toMatchObject({
      valid: true,
      source: 'attachment',
      main: { height: 667, width: 1000 },
    });
    expect(image.attachmentUnused).toBeUndefined();
    expect(seen.get('openproject')).toEqual([
      expect.objectContaining({ path: '/api/v3/attachments/77/content', authorization: BASIC }),
    ]);

    // The page's image on the OpenProject host's other port is not OpenProject: refused.
    const pageOnly = await runQueued(
      openProjectEnriched([{ url: ogOnOtherPort, source: 'og:image' }], {
        attachment: {
          id: 78,
          fileName: 'featured.jpg',
          contentType: 'image/jpeg',
          fileSize: 1,
          link: '/api/v3/attachments/78/content',
          downloadUrl: `http://127.0.0.1:${openProject.port}/api/v3/attachments/78/content`,
        },
      }),
    );
    expect(pageOnly).toMatchObject({
      valid: false,
      attachmentUnused: { problem: 'fetch-failed', reason: 'HTTP 404' },
    });
    expect(pageOnly.reason).toContain(`og:image ${ogOnOtherPort}: address not allowed`);
    expect(pageOnly.reason).not.toMatch(/resolves to|loopback|\(private\)/);
    expect(seen.get('other')).toBeUndefined();
  });

  it('attachments from a private OpenProject: the key is not sent to an attachment URL on another origin, and the page image is used with the attachment marked unused', async () => {
    seen.delete('site');
    const image = await runQueued(
      openProjectEnriched([{ url: `http://localhost:${site.port}/og.jpg`, source: 'og:image' }], {
        attachment: {
          id: 77,
          fileName: 'featured.jpg',
          contentType: 'image/jpeg',
          fileSize: photo.length,
          link: '/api/v3/attachments/77/content',
          // Same path on the allow-listed site: a forged downloadUrl must not get the key.
          downloadUrl: `http://localhost:${site.port}/api/v3/attachments/77/content`,
        },
      }),
    );
    expect(image).toMatchObject({
      valid: true,
      source: 'og:image',
      attachmentUnused: { problem: 'fetch-failed', reason: 'HTTP 401' },
    });
    expect((seen.get('site') ?? []).map(({ authorization }) => authorization)).toEqual([
      undefined,
      undefined,
    ]);
  });
});
