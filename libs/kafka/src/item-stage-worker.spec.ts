import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Topic } from '@curation/contracts';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { EventPublisher } from './event-publisher';
import { ItemStageWorker, type StageOutcome } from './item-stage-worker';

const ITEM = { itemId: '0b6f1d8e-3f9a-4c1e-9d2b-6a1e5c7f8a90', revision: 2 };

@Injectable()
class TestWorker extends ItemStageWorker<typeof ITEM, { kind: 'done' }> {
  protected readonly stage = 'enrichment';
  next: () => Promise<StageOutcome> = () => Promise.resolve({ kind: 'done' });

  protected run(): Promise<StageOutcome> {
    return this.next();
  }
}

async function setup() {
  const published: Array<{ topic: string; event: unknown }> = [];
  const publisher = {
    publish: async (topic: string, event: unknown) => {
      published.push({ topic, event });
    },
  };
  const moduleRef = await Test.createTestingModule({
    providers: [TestWorker, { provide: EventPublisher, useValue: publisher }],
  }).compile();
  return { worker: moduleRef.get(TestWorker), published };
}

const jobAt = (attempt: number, attempts = 3) =>
  ({ data: ITEM, attemptsMade: attempt - 1, opts: { attempts } }) as Job<typeof ITEM>;

describe('ItemStageWorker', () => {
  it('returns a done or skipped outcome and reports nothing', async () => {
    const { worker, published } = await setup();
    await expect(worker.process(jobAt(1))).resolves.toEqual({ kind: 'done' });
    worker.next = () => Promise.resolve({ kind: 'skipped', reason: 'nothing to do' });
    await expect(worker.process(jobAt(1))).resolves.toMatchObject({ kind: 'skipped' });
    expect(published).toEqual([]);
  });

  it('reports a failed outcome as item.failed and fails the job for good', async () => {
    const { worker, published } = await setup();
    worker.next = () => Promise.resolve({ kind: 'failed', reason: 'HTTP 404', retryable: false });
    await expect(worker.process(jobAt(1))).rejects.toBeInstanceOf(UnrecoverableError);
    expect(published).toEqual([
      {
        topic: Topic.ItemFailed,
        event: {
          ...ITEM,
          traceparent: undefined,
          data: { stage: 'enrichment', reason: 'HTTP 404', attempts: 1, retryable: false },
        },
      },
    ]);
  });

  it('leaves an error with attempts left to the retries, and reports it after the last', async () => {
    const { worker, published } = await setup();
    worker.next = () => Promise.reject(new Error('S3 is down'));
    await expect(worker.process(jobAt(2))).rejects.toThrow('S3 is down');
    expect(published).toEqual([]);
    await expect(worker.process(jobAt(3))).rejects.toThrow('S3 is down');
    expect(published).toMatchObject([
      { event: { data: { stage: 'enrichment', reason: 'S3 is down', attempts: 3 } } },
    ]);
  });

  it('never reports a job that put itself back on the delayed set', async () => {
    const { worker, published } = await setup();
    worker.next = () => Promise.reject(new DelayedError());
    await expect(worker.process(jobAt(3))).rejects.toBeInstanceOf(DelayedError);
    expect(published).toEqual([]);
  });
});
