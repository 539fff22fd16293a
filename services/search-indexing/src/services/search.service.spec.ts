import { automock, newTestService } from '@curation/testing';
import { searchIndexingConfigSchema } from '../config/search-indexing.config';
import { searchQuerySchema } from '../controllers/search-query.dto';
import type { SearchIndexRepository, SearchResult } from '../repositories/search-index.repository';
import { SearchService, type SearchOutcome } from './search.service';

const config = searchIndexingConfigSchema.parse({
  KAFKA_BROKERS: 'localhost:9092',
  OPENSEARCH_URL: 'http://localhost:9200',
  S3_ENDPOINT: 'http://localhost:9000',
  S3_ACCESS_KEY_ID: 'key',
  S3_SECRET_ACCESS_KEY: 'secret',
  SEARCH_CURSOR_SECRET: 'a-unit-test-key-of-32-characters!',
});

/** `count` hits, newest first, each with the sort values OpenSearch would return. */
function result(count: number, offset = 0): SearchResult {
  return {
    total: 100,
    aggregations: {},
    hits: Array.from({ length: count }, (_, position) => ({
      _id: `item-${offset + position}`,
      _score: 1,
      _source: { title: `Title ${offset + position}` },
      sort: [1, 1000 - offset - position, `item-${offset + position}`],
    })),
  };
}

const missing = Object.assign(new Error('no such point in time'), { meta: { statusCode: 404 } });

/** Every repository method the test did not stub fails the test. */
function indexWith(stubs: Partial<Record<keyof SearchIndexRepository, jest.Mock>>) {
  return automock<SearchIndexRepository>('index', stubs);
}

function serviceWith(index: SearchIndexRepository): SearchService {
  return newTestService(SearchService, { 0: config, 1: index }).sut;
}

function found(outcome: SearchOutcome) {
  if (outcome.kind !== 'found') throw new Error(`expected hits, got ${outcome.reason}`);
  return outcome.response;
}

const relevance = (extra: Record<string, string> = {}) =>
  searchQuerySchema.parse({ q: 'care', size: '10', ...extra });

describe('SearchService paging', () => {
  it('answers a one-page relevance search without opening a point in time', async () => {
    const index = indexWith({ search: jest.fn(async () => result(4)) });
    const response = found(await serviceWith(index).search(relevance()));
    expect(response.hits).toHaveLength(4);
    expect(response.nextCursor).toBeNull();
    expect(index.openPointInTime).not.toHaveBeenCalled();
  });

  it('freezes a multi-page relevance search in a point in time, pages through it, and closes it at the end', async () => {
    const index = indexWith({
      search: jest.fn(async () => result(11)),
      openPointInTime: jest.fn(async () => 'pit-1'),
      searchPointInTime: jest
        .fn()
        .mockResolvedValueOnce(result(11))
        .mockResolvedValueOnce(result(3, 10)),
      closePointInTime: jest.fn(async () => undefined),
    });
    const service = serviceWith(index);
    const first = found(await service.search(relevance()));
    expect(first.hits).toHaveLength(10);
    expect(first.hits[0].itemId).toBe('item-0');
    expect(index.searchPointInTime).toHaveBeenCalledTimes(1);
    expect(index.closePointInTime).not.toHaveBeenCalled();

    const second = found(await service.search(relevance({ cursor: first.nextCursor! })));
    expect(second.hits.map((hit) => hit.itemId)).toEqual(['item-10', 'item-11', 'item-12']);
    expect(index.searchPointInTime).toHaveBeenLastCalledWith(
      'pit-1',
      config.SEARCH_CURSOR_KEEP_ALIVE,
      expect.objectContaining({ search_after: [1, 991, 'item-9'] }),
    );
    expect(second.nextCursor).toBeNull();
    expect(index.closePointInTime).toHaveBeenCalledWith('pit-1');
  });

  it('continues from the live index when the point in time expired', async () => {
    const index = indexWith({
      search: jest.fn(async () => result(11)),
      openPointInTime: jest.fn(async () => 'pit-1'),
      searchPointInTime: jest.fn().mockResolvedValueOnce(result(11)).mockRejectedValueOnce(missing),
    });
    const service = serviceWith(index);
    const first = found(await service.search(relevance()));
    const second = found(await service.search(relevance({ cursor: first.nextCursor! })));
    expect(second.hits).toHaveLength(10);
    expect(index.search).toHaveBeenLastCalledWith(
      config.SEARCH_INDEX_ALIAS,
      expect.objectContaining({ search_after: [1, 991, 'item-9'] }),
    );
    // The next cursor no longer names the expired point in time.
    const third = indexWith({ search: jest.fn(async () => result(1)) });
    found(await serviceWith(third).search(relevance({ cursor: second.nextCursor! })));
    expect(third.searchPointInTime).not.toHaveBeenCalled();
  });

  it('still pages when no point in time can be opened', async () => {
    const index = indexWith({
      search: jest.fn(async () => result(11)),
      openPointInTime: jest.fn(async () => {
        throw new Error('too many open point in time contexts');
      }),
    });
    const response = found(await serviceWith(index).search(relevance()));
    expect(response.hits).toHaveLength(10);
    expect(response.nextCursor).toEqual(expect.any(String));
  });

  it('pages by date without a point in time', async () => {
    const index = indexWith({ search: jest.fn(async () => result(11)) });
    const response = found(
      await serviceWith(index).search(searchQuerySchema.parse({ sort: 'date' })),
    );
    expect(response.nextCursor).toEqual(expect.any(String));
    expect(index.openPointInTime).not.toHaveBeenCalled();
  });

  it('refuses a cursor of another query before asking the index', async () => {
    const index = indexWith({
      search: jest.fn(async () => result(11)),
      openPointInTime: jest.fn(async () => 'pit-1'),
      searchPointInTime: jest.fn(async () => result(11)),
    });
    const service = serviceWith(index);
    const first = found(await service.search(relevance()));
    const calls = index.search.mock.calls.length;
    expect(await service.search(relevance({ q: 'other', cursor: first.nextCursor! }))).toEqual({
      kind: 'bad-cursor',
      reason: expect.stringMatching(/another query/),
    });
    expect(index.search.mock.calls.length).toBe(calls);
  });

  it('suggests nothing for one character without asking the index', async () => {
    const index = indexWith({});
    expect(await serviceWith(index).suggest(' r ')).toEqual([]);
  });
});
