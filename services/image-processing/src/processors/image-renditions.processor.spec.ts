import { DelayedError, type Job } from 'bullmq';
import type { ImageProcessingConfig } from '../config/image-processing.config';
import type { DeferredRenditionsJob } from '../image-render.job';
import type { ImageRenditionsQueueRepository } from '../repositories/image-renditions-queue.repository';
import type { DeferredRenditionsService } from '../services/deferred-renditions.service';
import { ImageRenditionsProcessor, YIELD_MS } from './image-renditions.processor';

describe('ImageRenditionsProcessor', () => {
  const data: DeferredRenditionsJob = {
    itemId: '5a8dda31-0971-5453-a590-1bd555012667',
    revision: 3,
    sourceSha256: 'a'.repeat(64),
  };

  function build(hotBacklog: number) {
    const service = { render: jest.fn(async () => ({ kind: 'done' as const, renditions: [] })) };
    const queue = { hotBacklog: jest.fn(async () => hotBacklog) };
    const processor = new ImageRenditionsProcessor(
      {} as ImageProcessingConfig,
      service as unknown as DeferredRenditionsService,
      queue as unknown as ImageRenditionsQueueRepository,
    );
    const job = { data, moveToDelayed: jest.fn(async () => undefined) };
    return { processor, service, job: job as unknown as Job<DeferredRenditionsJob> & typeof job };
  }

  it('steps aside while items wait to go live, spending no attempt', async () => {
    const { processor, service, job } = build(2);
    const before = Date.now();
    await expect(processor.process(job, 'token')).rejects.toBeInstanceOf(DelayedError);
    expect(service.render).not.toHaveBeenCalled();
    const [until, token] = job.moveToDelayed.mock.calls[0] as unknown as [number, string];
    expect(token).toBe('token');
    expect(until).toBeGreaterThanOrEqual(before + YIELD_MS);
  });

  it('renders when no item waits', async () => {
    const { processor, service, job } = build(0);
    await expect(processor.process(job, 'token')).resolves.toEqual({
      kind: 'done',
      renditions: [],
    });
    expect(service.render).toHaveBeenCalledWith(data);
    expect(job.moveToDelayed).not.toHaveBeenCalled();
  });
});
