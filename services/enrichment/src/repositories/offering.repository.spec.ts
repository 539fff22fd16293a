import { fakeOpenSearchClient } from '@curation/testing';
import { testEnrichmentConfig } from '../testing/enrichment-config.fixture';
import { OfferingRepository } from './offering.repository';

const config = testEnrichmentConfig();

const offering = (offeringId: number) => ({
  label: `O${offeringId}`,
  permalink: `/offering/o${offeringId}`,
  categories: ['A'],
  offeringId,
});

/** A client whose search answers with `sharing` offerings of the categories. */
function fakeClient(sharing: () => number) {
  const search = jest.fn(async () => {
    const count = sharing();
    return {
      body: {
        hits: {
          total: { value: Math.min(count, 2), relation: count > 2 ? 'gte' : 'eq' },
          hits: Array.from({ length: count }, (_, n) => ({ _source: offering(n + 1) })),
        },
      },
    };
  });
  const bulk = jest.fn(async () => ({ body: { items: [{ index: { status: 201 } }] } }));
  return { client: fakeOpenSearchClient({ search, bulk }), search };
}

const query = (text: string) => ({ categories: ['B', 'A', 'A'], text, limit: 5 });

describe('OfferingRepository.findRelated', () => {
  it('asks OpenSearch once per category set while at most one offering shares it', async () => {
    const { client, search } = fakeClient(() => 1);
    const repository = new OfferingRepository(client, config);
    expect(await repository.findRelated(query('one text'))).toEqual([offering(1)]);
    expect(await repository.findRelated(query('another text'))).toEqual([offering(1)]);
    await repository.findRelated({ ...query('x'), categories: ['A', 'B'] });
    expect(search).toHaveBeenCalledTimes(1);
    await repository.findRelated({ ...query('x'), categories: ['C'] });
    expect(search).toHaveBeenCalledTimes(2);
  });

  it('asks every time when several offerings share the categories (the text ranks them)', async () => {
    const { client, search } = fakeClient(() => 3);
    const repository = new OfferingRepository(client, config);
    await repository.findRelated(query('one text'));
    await repository.findRelated(query('another text'));
    expect(search).toHaveBeenCalledTimes(2);
  });

  it('forgets what it knew once the catalogue changes', async () => {
    let sharing = 0;
    const { client, search } = fakeClient(() => sharing);
    const repository = new OfferingRepository(client, config);
    expect(await repository.findRelated(query('text'))).toEqual([]);
    sharing = 1;
    await repository.upsertMany([{ ...offering(1), description: '' }]);
    expect(await repository.findRelated(query('text'))).toEqual([offering(1)]);
    expect(search).toHaveBeenCalledTimes(2);
  });
});
