import { z } from 'zod';
import { renditionSchema } from './item-imaged.event';

/**
 * Renditions rendered after the item's `imaged` event (the slow formats, WebP and AVIF), stored
 * and ready to add to that revision's document.
 */
export const itemRenditionsAddedDataSchema = z.object({
  /** sha256 of the source they were rendered from: the same as the `imaged` event's `original`. */
  sourceSha256: z.string().regex(/^[0-9a-f]{64}$/),
  renditions: z.array(renditionSchema).min(1),
});
export type ItemRenditionsAddedData = z.infer<typeof itemRenditionsAddedDataSchema>;
