import { z } from 'zod';

export const itemRemovedDataSchema = z.object({
  reason: z.enum([
    'unpublished-status',
    'missing-url',
    'deleted-upstream',
    'type-changed',
    'operator',
  ]),
  detail: z.string().optional(),
});
export type ItemRemovedData = z.infer<typeof itemRemovedDataSchema>;
