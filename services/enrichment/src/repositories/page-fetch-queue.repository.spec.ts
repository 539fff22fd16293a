import { jobOptionsOf } from '@curation/queue';
import { QueueName } from '@curation/contracts';
import { PAGE_FETCH_BACKOFF } from '../page-fetch.job';
import { pageFetchJobOptions } from './page-fetch-queue.repository';

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
