import type { FeaturedImage } from '@curation/contracts';
import { automock } from '@curation/testing';
import type { Job, Queue } from 'bullmq';
import type { ImageRenderJob } from '../image-render.job';
import { enrichedData } from '../testing/enriched-data.fixture';
import { ImageRenderQueueRepository } from './image-render-queue.repository';

function newRepository() {
  const queue = automock<Queue<ImageRenderJob, FeaturedImage>>('queue');
  queue.add.mockResolvedValue(automock<Job<ImageRenderJob, FeaturedImage>>('job'));
  return {
    repository: new ImageRenderQueueRepository(queue),
    options: () => queue.add.mock.calls.map((call) => call[2]),
  };
}

describe('the image-render lane', () => {
  it('adds a live item without a priority, so it is taken before any bulk job', async () => {
    const { repository, options } = newRepository();
    await repository.add('item_1', { itemId: 'item', revision: 1, data: enrichedData([]) });
    expect(options()).toEqual([{ jobId: 'item_1' }]);
  });

  it('adds a bulk item with a priority', async () => {
    const { repository, options } = newRepository();
    const data = enrichedData([], { priority: 'bulk' });
    await repository.add('item_1', { itemId: 'item', revision: 1, data });
    expect(options()).toEqual([{ jobId: 'item_1', priority: 1 }]);
  });
});
