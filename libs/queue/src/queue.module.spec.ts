import { QueueName } from '@curation/contracts';
import type { MinimalJob } from 'bullmq';
import { exponentialDelay, jobOptionsOf } from './queue.module';

const jobWith = (backoff: MinimalJob['opts']['backoff']) => ({ opts: { backoff } }) as MinimalJob;

describe('exponentialDelay', () => {
  it('doubles the configured delay per attempt made', () => {
    const job = jobWith({ type: 'custom', delay: 500 });
    expect([1, 2, 3, 4].map((attempt) => exponentialDelay(attempt, job))).toEqual([
      500, 1000, 2000, 4000,
    ]);
  });

  it('takes a bare number as the delay, and a second without any', () => {
    expect(exponentialDelay(2, jobWith(300))).toBe(600);
    expect(exponentialDelay(1)).toBe(1000);
  });
});

describe('jobOptionsOf', () => {
  it("is the contracts' options for the queue, with the service's overrides on top", () => {
    expect(jobOptionsOf(QueueName.ImageRender, { attempts: 9 })).toMatchObject({
      attempts: 9,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
  });
});
