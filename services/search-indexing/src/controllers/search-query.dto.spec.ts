import { searchBody } from '../services/search.service';
import { searchQuerySchema } from './search-query.dto';

describe('search query parameters', () => {
  it('applies defaults and coerces numbers', () => {
    expect(searchQuerySchema.parse({ q: 'digital', from: '20' })).toEqual({
      q: 'digital',
      from: 20,
      size: 10,
    });
  });

  it('treats empty values as absent', () => {
    expect(searchQuerySchema.parse({ q: '', category: '', from: '', size: '' })).toEqual({
      from: 0,
      size: 10,
    });
  });

  it.each([
    [{ size: 'ten' }, 'size: a number'],
    [{ size: '101' }, 'size: at most 100'],
    [{ size: '0' }, 'size: at least 1'],
    [{ from: '-3' }, 'from: at least 0'],
    [{ from: '1.5' }, 'from: a whole number'],
    [{ from: '9950', size: '100' }, 'from: from + size must be at most 10000'],
    [{ q: ['a', 'b'] }, 'q: one text value'],
  ])('rejects %j', (query, message) => {
    const result = searchQuerySchema.safeParse(query);
    expect(result.success).toBe(false);
    expect(
      result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    ).toContain(message);
  });

  it('puts user text only into simple_query_string and the category into a term filter', () => {
    const body = searchBody({
      q: '{"match_all":{}}',
      category: 'HIMSS: Digital Health',
      from: 0,
      size: 5,
    });
    expect(body.query).toEqual({
      bool: {
        must: [
          expect.objectContaining({
            simple_query_string: expect.objectContaining({ query: '{"match_all":{}}' }),
          }),
        ],
        filter: [{ term: { categories: 'HIMSS: Digital Health' } }],
      },
    });
  });
});
