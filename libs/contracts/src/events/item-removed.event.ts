import { z } from 'zod';

export const itemRemovedDataSchema = z.object({
  reason: z.enum([
    'unpublished-status',
    'missing-url',
    'deleted-upstream',
    'type-changed',
    'operator',
    /** The same article is published as another item (`duplicateOf`); see the README's duplicate rule. */
    'duplicate',
  ]),
  detail: z.string().optional(),
  /** With reason `duplicate`: the item that publishes the article. */
  duplicateOf: z.uuid().optional(),
});
export type ItemRemovedData = z.infer<typeof itemRemovedDataSchema>;
