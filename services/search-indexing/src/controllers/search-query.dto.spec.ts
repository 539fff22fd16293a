import { z } from 'zod';
import { fingerprintOf, searchBody } from '../services/search.service';
import { SearchCursorCodec } from '../services/search-cursor';
import { searchQuerySchema, suggestQuerySchema } from './search-query.dto';
import { problemsOf } from './zod-validation.pipe';

function problems(schema: z.ZodType, query: Record<string, unknown>): string[] {
  const result = schema.safeParse(query);
  expect(result.success).toBe(false);
  return result.error!.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('search query parameters', () => {
  it('applies defaults and coerces numbers', () => {
    expect(searchQuerySchema.parse({ q: 'digital', from: '20' })).toEqual({
      q: 'digital',
      from: 20,
      size: 10,
    });
  });

  it('treats empty values as absent', () => {
    expect(
      searchQuerySchema.parse({ q: '', category: '', brand: '', from: '', size: '', sort: '' }),
    ).toEqual({ size: 10 });
  });

  it('normalises dates to UTC instants; a day as `until` includes the whole day', () => {
    expect(
      searchQuerySchema.parse({ since: '2026-03-01', until: '2026-03-31', sort: 'date' }),
    ).toMatchObject({
      since: '2026-03-01T00:00:00.000Z',
      until: '2026-03-31T23:59:59.999Z',
      sort: 'date',
    });
    expect(searchQuerySchema.parse({ since: '2026-03-01T12:00:00+02:00' }).since).toBe(
      '2026-03-01T10:00:00.000Z',
    );
  });

  it.each([
    [{ size: 'ten' }, 'size: a number'],
    [{ size: '101' }, 'size: at most 100'],
    [{ size: '0' }, 'size: at least 1'],
    [{ from: '-3' }, 'from: at least 0'],
    [{ from: '1.5' }, 'from: a whole number'],
    [
      { from: '9950', size: '100' },
      'from: from + size must be at most 10000; page deeper with cursor',
    ],
    [{ sort: 'newest' }, 'sort: one of relevance, date'],
    [
      { since: '2026-02-30' },
      'since: a date (YYYY-MM-DD) or a date-time with offset (2026-03-01T12:00:00Z)',
    ],
    [
      { until: 'yesterday' },
      'until: a date (YYYY-MM-DD) or a date-time with offset (2026-03-01T12:00:00Z)',
    ],
    [{ since: '2026-04-01', until: '2026-03-01' }, 'since: must not be after until'],
    [
      { cursor: 'abc', from: '0' },
      'from: not together with cursor (the cursor knows where the next page starts)',
    ],
  ])('rejects %j', (query, message) => {
    expect(problems(searchQuerySchema, query)).toContain(message);
  });

  it('names unknown parameters, one problem each', () => {
    const result = searchQuerySchema.safeParse({ q: 'x', page: '2', 'q[a]': 'b' });
    expect(problemsOf(result.error!)).toEqual([
      'page: unknown parameter',
      'q[a]: unknown parameter',
    ]);
  });

  it('names every repeated parameter (express parses ?q=a&q=b into an array)', () => {
    expect(
      problems(searchQuerySchema, { q: ['a', 'b'], brand: ['x', 'y'], size: ['1', '2'] }),
    ).toEqual(
      expect.arrayContaining([
        'q: given more than once',
        'brand: given more than once',
        'size: given more than once',
      ]),
    );
  });

  it('accepts the same day as since and until', () => {
    expect(searchQuerySchema.safeParse({ since: '2026-03-01', until: '2026-03-01' }).success).toBe(
      true,
    );
  });

  it('suggest: a lone `q`, nothing else', () => {
    expect(suggestQuerySchema.parse({ q: ' re ' })).toEqual({ q: 're' });
    expect(problemsOf(suggestQuerySchema.safeParse({ q: 're', size: '3' }).error!)).toEqual([
      'size: unknown parameter',
    ]);
    expect(problems(suggestQuerySchema, { q: ['a', 'b'] })).toEqual(['q: given more than once']);
  });
});

describe('search cursors', () => {
  const codec = new SearchCursorCodec(Buffer.from('k'.repeat(32)));
  const query = searchQuerySchema.parse({ q: 'remote care', brand: 'HIMSS' });
  const fingerprint = fingerprintOf(query);
  const cursor = codec.encode({ query: fingerprint, after: [3.5, 1767225600000, 'item-a'] });

  it('round-trips for the query it was made for, whatever the page size', () => {
    expect(codec.decode(cursor, fingerprintOf({ ...query, size: 50 }))).toEqual({
      kind: 'valid',
      state: { query: fingerprint, after: [3.5, 1767225600000, 'item-a'] },
    });
  });

  it.each([
    ['another q', { q: 'remote' }],
    ['another brand', { brand: 'Other' }],
    ['a filter added', { since: '2026-01-01T00:00:00.000Z' }],
    ['another sort', { sort: 'date' as const }],
  ])('is refused for %s', (_, change) => {
    expect(codec.decode(cursor, fingerprintOf({ ...query, ...change }))).toEqual({
      kind: 'invalid',
      reason: expect.stringMatching(/another query/),
    });
  });

  it('treats the same query in other spellings as the same query', () => {
    expect(fingerprintOf({ ...query, q: '  remote care ' })).toBe(fingerprint);
    // Without words every order is by date: sort=date and no sort are the same query.
    expect(fingerprintOf({ size: 10 })).toBe(fingerprintOf({ size: 10, sort: 'date' }));
  });

  it('refuses a tampered cursor', () => {
    const [payload, signature] = cursor.split('.');
    const state = JSON.parse(Buffer.from(payload, 'base64url').toString()) as {
      after: unknown[];
      pit?: string;
    };
    state.pit = 'b3RoZXItaW5kZXgtcGl0';
    const forged = `${Buffer.from(JSON.stringify(state)).toString('base64url')}.${signature}`;
    const flipped = `${payload.slice(0, -2)}${payload.at(-2) === 'A' ? 'B' : 'A'}${payload.at(-1)}.${signature}`;
    for (const tampered of [forged, flipped, `${payload}.`, payload, `${cursor}.x`, 'garbage']) {
      expect(codec.decode(tampered, fingerprint)).toEqual({
        kind: 'invalid',
        reason: expect.stringMatching(/not a cursor of this API/),
      });
    }
  });

  it('refuses a cursor signed with another key', () => {
    const other = new SearchCursorCodec(Buffer.from('o'.repeat(32)));
    expect(other.decode(cursor, fingerprint).kind).toBe('invalid');
  });
});

describe('search request body', () => {
  it('puts user text only into simple_query_string and filters into term and range clauses', () => {
    const body = searchBody({
      q: '{"match_all":{}}',
      category: 'HIMSS: Digital Health',
      brand: 'HIMSS',
      since: '2026-01-01T00:00:00.000Z',
      until: '2026-01-31T23:59:59.999Z',
      size: 5,
    });
    expect(body.query).toEqual({
      bool: {
        must: [
          expect.objectContaining({
            simple_query_string: expect.objectContaining({ query: '{"match_all":{}}' }),
          }),
        ],
        filter: [
          { term: { categories: 'HIMSS: Digital Health' } },
          { term: { brand: 'HIMSS' } },
          {
            range: {
              sortDate: { gte: '2026-01-01T00:00:00.000Z', lte: '2026-01-31T23:59:59.999Z' },
            },
          },
        ],
      },
    });
    expect(body.size).toBe(6);
    expect(body.from).toBe(0);
  });

  it('continues after the cursor with search_after instead of from, newest first for sort=date', () => {
    const body = searchBody({ q: 'care', sort: 'date', size: 10 }, [1767225600000, 'item-a']);
    expect(body.search_after).toEqual([1767225600000, 'item-a']);
    expect(body).not.toHaveProperty('from');
    expect(body.sort).toEqual([
      { sortDate: { order: 'desc', unmapped_type: 'date' } },
      { itemId: 'asc' },
    ]);
  });

  it('orders by score with date and item id as tiebreakers for relevance', () => {
    expect(searchBody({ q: 'care', size: 10 }).sort).toEqual([
      { _score: 'desc' },
      { sortDate: { order: 'desc', unmapped_type: 'date' } },
      { itemId: 'asc' },
    ]);
  });
});
