import { Topic, type EventOf, type ItemReceivedData } from '@curation/contracts';
import { newTestService } from '@curation/testing';
import { testEnrichmentConfig } from '../testing/enrichment-config.fixture';
import type { PageFetchJob } from '../page-fetch.job';
import { OfferingService } from './offering.service';

const config = testEnrichmentConfig({
  RELINK_DELAY_MS: '10',
});

function itemJob(itemId: string, topics: string[]): PageFetchJob {
  return {
    itemId,
    revision: 1,
    trigger: 'received',
    received: {
      topics,
      url: 'https://a.example/',
      originalUrl: 'https://a.example/',
    } as ItemReceivedData,
  };
}

function offeringEvent(
  offeringId: number,
  categories: string[],
): EventOf<typeof Topic.OfferingUpserted> {
  return {
    id: `00000000-0000-4000-8000-00000000000${offeringId}`,
    type: Topic.OfferingUpserted,
    version: 1,
    itemId: '00000000-0000-4000-8000-000000000000',
    revision: 1,
    occurredAt: '2024-01-01T00:00:00Z',
    data: {
      offeringId,
      label: `O${offeringId}`,
      permalink: `/offering/o${offeringId}`,
      categories,
      description: '',
    },
  };
}

describe('OfferingService', () => {
  it('writes the batch and re-links items in new and previous categories, reporting write failures', async () => {
    const {
      sut: service,
      mocks: [, offerings, itemLinks, queue],
    } = newTestService(OfferingService, { 0: config });
    offerings.categoriesOf.mockResolvedValue(['Old']);
    offerings.upsertMany.mockResolvedValue([{ offeringId: 2, reason: 'mapper_parsing_exception' }]);
    const searched: string[][] = [];
    itemLinks.findInCategories.mockImplementation(async function* (categories) {
      searched.push([...categories].sort());
      yield [itemJob('i1', ['A']), itemJob('i2', ['Old'])];
    });
    queue.addRelink.mockResolvedValue(undefined);
    const failures = await service.upsertMany([
      offeringEvent(1, ['A']),
      offeringEvent(2, ['B']),
      offeringEvent(1, ['A', 'C']),
    ]);
    expect(offerings.upsertMany).toHaveBeenCalledTimes(1);
    expect(offerings.upsertMany.mock.calls[0][0]).toHaveLength(2);
    expect(searched).toEqual([['A', 'C', 'Old']]);
    const relinked = queue.addRelink.mock.calls;
    expect(relinked.map(([job]) => [job.itemId, job.trigger])).toEqual([
      ['i1', 'relink'],
      ['i2', 'relink'],
    ]);
    expect(relinked[0][1]).toEqual({ delayMs: 10 });
    expect(failures).toEqual([
      {
        event: expect.objectContaining({
          data: expect.objectContaining({ offeringId: 2 }),
        }) as unknown,
        reason: 'mapper_parsing_exception',
      },
    ]);
  });
});
