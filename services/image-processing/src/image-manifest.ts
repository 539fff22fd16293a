import { featuredImageSchema } from '@curation/contracts';
import { z } from 'zod';

/** What was last written for an item, so reruns and unchanged images skip the render. */
export const manifestSchema = z.object({
  revision: z.number().int().nonnegative(),
  sourceSha256: z.string().optional(),
  settings: z.string(),
  featuredImage: featuredImageSchema,
});
export type Manifest = z.infer<typeof manifestSchema>;
