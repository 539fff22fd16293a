import { QueueName, type ItemReceivedData } from '@curation/contracts';
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import { eventually, testEnvironment, uniqueName } from '@curation/testing';
import type { PageFetchJob } from '../page-fetch.job';
import { PageFetchQueueRepository } from './page-fetch-queue.repository';

const BULK_ITEMS = 5;

const received: ItemReceivedData = {
  source: 'submission',
  url: 'https://news.example/a',
  originalUrl: 'https://news.example/a',
  topics: ['HIMSS: Digital Health'],
  updatedAt: '2026-12-01T08:00:00.000Z',
  customFields: {},
};

function itemJob(itemId: string, priority?: 'bulk'): PageFetchJob {
  return {
    itemId,
    revision: 1,
    received: { ...received, ...(priority ? { priority } : {}) },
    trigger: 'received',
  };
}

describe('the bulk lane on a real page-fetch queue', () => {
  const connection = { url: testEnvironment().REDIS_URL, maxRetriesPerRequest: null };
  const prefix = uniqueName('lane');
  let queue: Queue<PageFetchJob>;
  let repository: PageFetchQueueRepository;

  beforeEach(() => {
    queue = new Queue<PageFetchJob>(QueueName.PageFetch, { connection, prefix });
    repository = new PageFetchQueueRepository(queue);
  });

  afterEach(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('takes a live item added after waiting bulk items before them', async () => {
    for (let index = 0; index < BULK_ITEMS; index++) {
      await repository.add(itemJob(`bulk-${index}`, 'bulk'));
    }
    await repository.addReextract({ ...itemJob('reextracted'), trigger: 'reextract' }, 'run');
    await repository.add(itemJob('live'));

    const taken: string[] = [];
    const worker = new Worker<PageFetchJob>(
      QueueName.PageFetch,
      async (job) => void taken.push(job.data.itemId),
      { connection, prefix, concurrency: 1 },
    );
    try {
      await eventually(async () => (taken.length === BULK_ITEMS + 2 ? true : undefined));
    } finally {
      await worker.close();
    }
    expect(taken).toEqual([
      'live',
      ...Array.from({ length: BULK_ITEMS }, (_, index) => `bulk-${index}`),
      'reextracted',
    ]);
  });

  it('keeps a bulk job in the bulk lane after it was moved back to the delayed set (throttled)', async () => {
    await repository.add(itemJob('bulk', 'bulk'));
    const throttling = new Worker<PageFetchJob>(
      QueueName.PageFetch,
      async (job: Job<PageFetchJob>, token?: string) => {
        await job.moveToDelayed(Date.now() + 3600_000, token);
        throw new DelayedError();
      },
      { connection, prefix, concurrency: 1 },
    );
    try {
      await eventually(async () => ((await queue.getDelayedCount()) === 1 ? true : undefined));
    } finally {
      await throttling.close();
    }
    const [delayed] = await queue.getDelayed();
    // Due again before the live item arrives: FIFO alone would take it first.
    await delayed.promote();
    await repository.add(itemJob('live'));

    const taken: string[] = [];
    const worker = new Worker<PageFetchJob>(
      QueueName.PageFetch,
      async (job) => void taken.push(job.data.itemId),
      { connection, prefix, concurrency: 1 },
    );
    try {
      await eventually(async () => (taken.length === 2 ? true : undefined));
    } finally {
      await worker.close();
    }
    expect(taken).toEqual(['live', 'bulk']);
  });
});
