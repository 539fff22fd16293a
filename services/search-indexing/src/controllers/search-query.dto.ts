import { z } from 'zod';

/** The most a page can hold; OpenSearch's default window stops at from + size = 10,000. */
export const MAX_PAGE_SIZE = 100;
const MAX_RESULT_WINDOW = 10000;

/** `?q=&size=` (an empty value) means the parameter was not given. */
const param = <Schema extends z.ZodType>(schema: Schema) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema);

export const searchQuerySchema = z
  .object({
    q: param(z.string('one text value').max(500, 'at most 500 characters').optional()),
    category: param(z.string('one category').max(500, 'at most 500 characters').optional()),
    from: param(z.coerce.number('a number').int('a whole number').min(0, 'at least 0').default(0)),
    size: param(
      z.coerce
        .number('a number')
        .int('a whole number')
        .min(1, 'at least 1')
        .max(MAX_PAGE_SIZE, `at most ${MAX_PAGE_SIZE}`)
        .default(10),
    ),
  })
  .strict()
  .refine((query) => query.from + query.size <= MAX_RESULT_WINDOW, {
    message: `from + size must be at most ${MAX_RESULT_WINDOW}`,
    path: ['from'],
  });

export type SearchQueryDto = z.infer<typeof searchQuerySchema>;

export const itemIdParamSchema = z.uuid('an item id (UUID)');
