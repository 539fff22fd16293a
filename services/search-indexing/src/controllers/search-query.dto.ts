import { z } from 'zod';

/** The most a page can hold; OpenSearch's default window stops at from + size = 10,000. */
export const MAX_PAGE_SIZE = 100;
const MAX_RESULT_WINDOW = 10000;
/** A signed cursor is a few hundred characters; a point-in-time id makes it longer. */
const MAX_CURSOR_LENGTH = 4096;
/** Below this many characters a type-ahead query matches too much to be useful. */
export const MIN_SUGGEST_LENGTH = 2;

export const SEARCH_SORTS = ['relevance', 'date'] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];

/**
 * One query parameter: `?q=&size=` (an empty value) means it was not given, and a parameter
 * given twice (`?q=a&q=b`, an array once parsed) is refused by name instead of guessed at.
 */
const param = <Schema extends z.ZodType>(schema: Schema) =>
  z.preprocess((value, context) => {
    if (Array.isArray(value)) {
      context.issues.push({ code: 'custom', message: 'given more than once', input: value });
      return z.NEVER;
    }
    return value === '' ? undefined : value;
  }, schema);

const text = (what: string, max: number) =>
  z.string(what).trim().max(max, `at most ${max} characters`);

/**
 * A day (`2026-03-01`, UTC) or an instant with its offset. `until` of a day includes that
 * whole day. Normalised to an ISO instant, so equal filters hash equally in a cursor.
 */
const dateBound = (end: 'start' | 'end') =>
  z
    .union(
      [z.iso.date(), z.iso.datetime({ offset: true })],
      'a date (YYYY-MM-DD) or a date-time with offset (2026-03-01T12:00:00Z)',
    )
    .transform((value) =>
      new Date(
        value.length === 10
          ? `${value}T${end === 'start' ? '00:00:00.000' : '23:59:59.999'}Z`
          : value,
      ).toISOString(),
    );

const pageSize = z.coerce
  .number('a number')
  .int('a whole number')
  .min(1, 'at least 1')
  .max(MAX_PAGE_SIZE, `at most ${MAX_PAGE_SIZE}`);

export const searchQuerySchema = z
  .strictObject({
    q: param(text('one text value', 500).optional()).describe(
      'Words to find in title, description and body (simple query syntax: "phrase", prefix*, +must, -not, a | b).',
    ),
    category: param(text('one category', 500).optional()).describe(
      'Only items of this category (topic), exactly as in `facets.categories`.',
    ),
    brand: param(text('one brand', 200).optional()).describe(
      'Only items of this brand, exactly as in `facets.brands`.',
    ),
    since: param(dateBound('start').optional()).describe(
      'Only items dated on or after this: the article date when known, else the work-package date.',
    ),
    until: param(dateBound('end').optional()).describe(
      'Only items dated on or before this (a day includes the whole day, UTC).',
    ),
    sort: param(
      z
        .enum(SEARCH_SORTS, { error: `one of ${SEARCH_SORTS.join(', ')}` })
        .optional()
        .describe(
          '`relevance` (the default with `q`) or `date`, newest first (the default without `q`).',
        ),
    ),
    size: param(pageSize.default(10)).describe(`Hits per page, 1 to ${MAX_PAGE_SIZE}.`),
    from: param(
      z.coerce.number('a number').int('a whole number').min(0, 'at least 0').optional(),
    ).describe(
      `Offset of the first hit (from + size at most ${MAX_RESULT_WINDOW}); use \`cursor\` to go deeper.`,
    ),
    cursor: param(
      z.string('one cursor').max(MAX_CURSOR_LENGTH, 'not a cursor of this API').optional(),
    ).describe('`nextCursor` of the previous page, with the same q, filters and sort.'),
  })
  .superRefine((query, context) => {
    if (query.cursor !== undefined && query.from !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['from'],
        message: 'not together with cursor (the cursor knows where the next page starts)',
      });
    }
    if ((query.from ?? 0) + query.size > MAX_RESULT_WINDOW) {
      context.addIssue({
        code: 'custom',
        path: ['from'],
        message: `from + size must be at most ${MAX_RESULT_WINDOW}; page deeper with cursor`,
      });
    }
    if (query.since && query.until && query.since > query.until) {
      context.addIssue({ code: 'custom', path: ['since'], message: 'must not be after until' });
    }
  });

export type SearchQueryDto = z.infer<typeof searchQuerySchema>;

export const suggestQuerySchema = z.strictObject({
  q: param(text('one text value', 200).optional()).describe(
    `The start of a title; fewer than ${MIN_SUGGEST_LENGTH} characters give an empty list.`,
  ),
});

export type SuggestQueryDto = z.infer<typeof suggestQuerySchema>;

export const itemIdParamSchema = z.uuid('an item id (UUID)');

const searchHitSchema = z.object({
  itemId: z.string(),
  score: z.number().nullable().describe('null when sorted by date'),
  title: z.string().optional(),
  description: z.string().optional(),
  url: z.string().optional(),
  slug: z.string().optional(),
  categories: z.array(z.string()).optional(),
  brand: z.string().optional(),
  date: z.string().optional().describe('The work-package date (YYYY-MM-DD)'),
  sortDate: z
    .string()
    .optional()
    .describe('What since/until and sort=date use: the article date when known, else lastMod'),
  documentKey: z.string().optional(),
  imageKey: z.string().nullable().optional(),
  highlights: z
    .record(z.string(), z.array(z.string()))
    .describe('Fragments per field; matched words in <mark>, all other markup removed'),
});

const facetSchema = z.array(z.object({ value: z.string(), count: z.number().int() }));

export const searchResponseSchema = z.object({
  total: z.number().int(),
  from: z.number().int().describe('0 when paging with a cursor'),
  size: z.number().int(),
  hits: z.array(searchHitSchema),
  facets: z.object({ categories: facetSchema, brands: facetSchema }),
  nextCursor: z
    .string()
    .nullable()
    .describe(
      'Pass as `cursor` (with the same q, filters and sort) for the next page; null at the end',
    ),
});

export type SearchHitView = z.infer<typeof searchHitSchema>;
export type SearchResponse = z.infer<typeof searchResponseSchema>;

export const suggestionsSchema = z.array(
  z.object({ itemId: z.string(), title: z.string(), slug: z.string().optional() }),
);

export type Suggestion = z.infer<typeof suggestionsSchema>[number];
