import { jobOptionsOf } from '@curation/queue';
import { QueueName, type ItemReceivedData } from '@curation/contracts';
import { automock } from '@curation/testing';
import type { Job, Queue } from 'bullmq';
import { PAGE_FETCH_BACKOFF, type PageFetchJob } from '../page-fetch.job';
import { PageFetchQueueRepository, pageFetchJobOptions } from './page-fetch-queue.repository';

const received: ItemReceivedData = {
  source: 'submission',
  url: 'https://news.example/a',
  originalUrl: 'https://news.example/a',
  topics: ['HIMSS: Digital Health'],
  updatedAt: '2026-12-01T08:00:00.000Z',
  customFields: {},
};
const job: PageFetchJob = { itemId: 'item-1', revision: 3, received, trigger: 'received' };

function newRepository() {
  const queue = automock<Queue<PageFetchJob>>('queue');
  queue.add.mockResolvedValue(automock<Job<PageFetchJob>>('job'));
  return { repository: new PageFetchQueueRepository(queue), added: () => queue.add.mock.calls };
}

describe('page-fetch queue job options', () => {
  it('take attempts and backoff from the configuration, the rest from the contracts', () => {
    const options = jobOptionsOf(
      QueueName.PageFetch,
      pageFetchJobOptions({ PAGE_FETCH_ATTEMPTS: 7, PAGE_FETCH_BACKOFF_MS: 2500 }),
    );
    expect(options).toEqual({
      attempts: 7,
      backoff: { type: PAGE_FETCH_BACKOFF, delay: 2500 },
      removeOnComplete: { age: 24 * 3600, count: 10000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
  });
});

describe('the page-fetch lane', () => {
  it('adds a live item without a priority, so it is taken before any bulk job', async () => {
    const { repository, added } = newRepository();
    await repository.add(job);
    expect(added()[0][2]).not.toHaveProperty('priority');
  });

  it('adds a bulk item with a priority', async () => {
    const { repository, added } = newRepository();
    await repository.add({ ...job, received: { ...received, priority: 'bulk' } });
    expect(added()[0][2]).toMatchObject({ priority: 1 });
  });

  it('adds re-extractions and re-links as bulk work, and the item data says so for later stages', async () => {
    const { repository, added } = newRepository();
    await repository.addReextract({ ...job, trigger: 'reextract' }, 'run-1');
    await repository.addRelink({ ...job, trigger: 'relink' }, { delayMs: 1000 });
    for (const [, data, options] of added()) {
      expect(options).toMatchObject({ priority: 1 });
      expect(data.received.priority).toBe('bulk');
    }
    expect(added()).toHaveLength(2);
  });
});
