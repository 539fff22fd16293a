import type { MinimalJob } from 'bullmq';
import { automock } from '@curation/testing';
import { PAGE_FETCH_BACKOFF } from '../page-fetch.job';
import { RetryableFetchError } from '../services/retryable-fetch.error';
import { pageFetchBackoff } from './page-fetch.processor';

const job = automock<MinimalJob>('job', {
  opts: { backoff: { type: PAGE_FETCH_BACKOFF, delay: 100 } },
});

describe('pageFetchBackoff', () => {
  it('doubles from the base delay', () => {
    expect(
      [1, 2, 3, 4].map((attempts) =>
        pageFetchBackoff(attempts, PAGE_FETCH_BACKOFF, new Error('x'), job),
      ),
    ).toEqual([100, 200, 400, 800]);
  });

  it("waits at least the server's Retry-After", () => {
    expect(pageFetchBackoff(1, PAGE_FETCH_BACKOFF, new RetryableFetchError('429', 5000), job)).toBe(
      5000,
    );
    expect(pageFetchBackoff(6, PAGE_FETCH_BACKOFF, new RetryableFetchError('429', 50), job)).toBe(
      3200,
    );
  });
});
