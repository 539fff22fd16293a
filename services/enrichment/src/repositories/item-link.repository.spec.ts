import { fakeOpenSearchClient } from '@curation/testing';
import { testEnrichmentConfig } from '../testing/enrichment-config.fixture';
import type { PageFetchJob } from '../page-fetch.job';
import { ItemLinkRepository } from './item-link.repository';

const config = testEnrichmentConfig();

const job = (itemId: string, revision = 1) =>
  ({ itemId, revision, trigger: 'received', received: { topics: ['A'] } }) as PageFetchJob;

type BulkBody = Array<{ index?: { _id: string; version: number } }>;

/** A client whose bulk answers each document with `statusOf(id)`, one request at a time. */
function fakeClient(statusOf: (id: string) => number) {
  const requests: string[][] = [];
  const bulk = jest.fn(async ({ body }: { body: BulkBody }) => {
    const ids = body.flatMap((line) => (line.index ? [line.index._id] : []));
    requests.push(ids);
    await new Promise((resolve) => setTimeout(resolve, 5));
    return {
      body: {
        items: ids.map((id) => {
          const status = statusOf(id);
          return {
            index: status < 300 ? { status } : { status, error: { type: 'x', reason: id } },
          };
        }),
      },
    };
  });
  return { client: fakeOpenSearchClient({ bulk }), requests };
}

describe('ItemLinkRepository.record', () => {
  it('writes records made meanwhile together, each settled by its own result', async () => {
    const { client, requests } = fakeClient((id) =>
      id === 'bad' ? 400 : id === 'old' ? 409 : 201,
    );
    const links = new ItemLinkRepository(client, config);
    const first = links.record(job('a'));
    await new Promise((resolve) => setImmediate(resolve));
    const later = [links.record(job('b')), links.record(job('old')), links.record(job('bad'))];
    await expect(first).resolves.toBeUndefined();
    await expect(later[0]).resolves.toBeUndefined();
    await expect(later[1]).resolves.toBeUndefined();
    await expect(later[2]).rejects.toThrow(/item link not written \(400\)/);
    expect(requests).toEqual([['a'], ['b', 'old', 'bad']]);
  });

  it('fails every record of a request OpenSearch did not answer, and goes on with the next', async () => {
    let calls = 0;
    const bulk = jest.fn(async () => {
      if (calls++ === 0) throw new Error('connection refused');
      return { body: { items: [{ index: { status: 201 } }] } };
    });
    const links = new ItemLinkRepository(fakeOpenSearchClient({ bulk }), config);
    await expect(links.record(job('a'))).rejects.toThrow('connection refused');
    await expect(links.record(job('b'))).resolves.toBeUndefined();
  });
});
