import { automock, newTestService } from '@curation/testing';
import { DelayedError, type Job } from 'bullmq';
import type { ImageProcessingConfig } from '../config/image-processing.config';
import type { DeferredRenditionsJob } from '../image-render.job';
import { ImageRenditionsProcessor, YIELD_MS } from './image-renditions.processor';

describe('ImageRenditionsProcessor', () => {
  const data: DeferredRenditionsJob = {
    itemId: '5a8dda31-0971-5453-a590-1bd555012667',
    revision: 3,
    sourceSha256: 'a'.repeat(64),
  };

  function build(hotBacklog: number) {
    const {
      sut: processor,
      mocks: [, service, queue],
    } = newTestService(ImageRenditionsProcessor, { 0: {} as ImageProcessingConfig });
    service.render.mockResolvedValue({ kind: 'done', renditions: [] });
    queue.hotBacklog.mockResolvedValue(hotBacklog);
    const job = automock<Job<DeferredRenditionsJob>>('job', { data });
    job.moveToDelayed.mockResolvedValue(undefined);
    return { processor, service, job };
  }

  it('steps aside while items wait to go live, spending no attempt', async () => {
    const { processor, service, job } = build(2);
    const before = Date.now();
    await expect(processor.process(job, 'token')).rejects.toBeInstanceOf(DelayedError);
    expect(service.render).not.toHaveBeenCalled();
    const [until, token] = job.moveToDelayed.mock.calls[0];
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
