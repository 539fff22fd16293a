import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueName, queueJobOptions } from '@curation/contracts';
import { eventually, testEnvironment, uniqueName } from '@curation/testing';
import { photoJpeg } from '@curation/testing/photo-images';
import { Queue } from 'bullmq';
import { findFreePorts } from '../../../infra/src/free-ports';
import {
  DEVELOPMENT_DEFAULTS,
  spawnService,
  stopProcess,
  waitUntilLive,
} from '../../../scripts/pipeline-processes';
import type { ImageRenderJob } from './image-render.job';
import { enrichedData } from './testing/enriched-data.fixture';

const JOBS = 6;
const CONCURRENCY = 3;
/** Long enough that the SIGTERM surely lands while images are still downloading. */
const HOLD_MS = 3000;

jest.setTimeout(240_000);

/**
 * SIGTERM while jobs are active: the process finishes what it holds and exits 0; the jobs it
 * had not started stay in the queue, and a second instance completes them. No job is lost or
 * failed.
 */
describe('image-processing under SIGTERM with jobs in flight', () => {
  const run = uniqueName('sigterm');
  const environment = testEnvironment();
  const logDir = mkdtempSync(join(tmpdir(), 'sigterm-under-load-'));
  const queue = new Queue<ImageRenderJob>(QueueName.ImageRender, {
    connection: { url: environment.REDIS_URL },
    prefix: run,
  });
  let images: Server;
  let origin: string;
  let served = 0;

  beforeAll(async () => {
    const jpeg = await photoJpeg(800, 533);
    images = createServer((_request, response) => {
      setTimeout(() => {
        served++;
        response.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpeg);
      }, HOLD_MS);
    });
    await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    images.closeAllConnections();
    images.close();
  });

  async function startWorker(name: string) {
    const [port] = await findFreePorts(1);
    const child = spawnService(
      'image-processing',
      {
        ...DEVELOPMENT_DEFAULTS,
        ...(process.env as Record<string, string>),
        KAFKA_CLIENT_ID_PREFIX: run,
        QUEUE_PREFIX: run,
        S3_BUCKET: run,
        IMAGE_PROCESSING_PORT: String(port),
        IMAGE_CONSUME_ENRICHED: 'false',
        IMAGE_WORKER_CONCURRENCY: String(CONCURRENCY),
        IMAGE_FETCH_HOST_INTERVAL_MS: '0',
        IMAGE_RENDITIONS: 'featuredImage:400:jpeg',
        FETCH_ALLOW_HOSTS: '127.0.0.1',
        LOG_LEVEL: 'warn',
      },
      join(logDir, `${name}.log`),
    );
    await waitUntilLive(`http://127.0.0.1:${port}/health/live`, 90_000);
    return child;
  }

  it('finishes the active jobs, leaves the others queued, and a second instance completes them', async () => {
    const first = await startWorker('first');
    const ids = Array.from({ length: JOBS }, () => randomUUID());
    for (const itemId of ids) {
      await queue.add(
        QueueName.ImageRender,
        {
          itemId,
          revision: 1,
          data: enrichedData([{ url: `${origin}/${itemId}.jpg`, source: 'og:image' }]),
        },
        { ...queueJobOptions[QueueName.ImageRender], jobId: `${itemId}_1` },
      );
    }
    await eventually(async () =>
      (await queue.getActiveCount()) === CONCURRENCY ? true : undefined,
    );

    expect(await stopProcess(first, 60_000)).toBe(0);
    const afterStop = await queue.getJobCounts(
      'completed',
      'failed',
      'active',
      'waiting',
      'delayed',
    );
    const handedBack = await queue.getJobs(['delayed', 'failed']);
    process.stderr.write(
      `after SIGTERM: ${JSON.stringify(afterStop)} ${handedBack.map((job) => job.failedReason).join('; ')}\n`,
    );
    expect(afterStop.failed).toBe(0);
    expect(afterStop.active).toBe(0);
    // What it held was finished, nothing vanished: completed + queued is every job.
    expect(afterStop.completed).toBeGreaterThanOrEqual(CONCURRENCY);
    expect(afterStop.completed + afterStop.waiting + afterStop.delayed).toBe(JOBS);

    const second = await startWorker('second');
    try {
      await eventually(
        async () => ((await queue.getCompletedCount()) === JOBS ? true : undefined),
        120_000,
      );
      expect(await queue.getFailedCount()).toBe(0);
      expect(served).toBeGreaterThanOrEqual(JOBS);
    } finally {
      expect(await stopProcess(second, 60_000)).toBe(0);
    }
  });
});
