import { z } from 'zod';
import { itemEnrichedDataSchema } from './item-enriched.event';

export const renditionSchema = z.object({
  name: z.string().min(1),
  key: z.string().min(1),
  format: z.enum(['jpeg', 'webp', 'avif', 'png']),
  contentType: z.string().min(1),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  bytes: z.number().int().positive(),
});
export type Rendition = z.infer<typeof renditionSchema>;

export const featuredImageSchema = z.object({
  valid: z.boolean(),
  /** Why there is no usable image, when `valid` is false. */
  reason: z.string().optional(),
  source: z.enum(['attachment', 'og:image', 'twitter:image', 'json-ld', 'submission']).optional(),
  sourceUrl: z.string().optional(),
  /** The main rendition: its S3 key is the document's `featuredImage.href`. */
  main: renditionSchema.optional(),
  renditions: z.array(renditionSchema),
  placeholder: z.string().optional(),
  dominantColor: z.string().optional(),
  wpAttachment: z.object({ fileName: z.string(), link: z.string() }).optional(),
});
export type FeaturedImage = z.infer<typeof featuredImageSchema>;

export const itemImagedDataSchema = itemEnrichedDataSchema.extend({
  featuredImage: featuredImageSchema,
});
export type ItemImagedData = z.infer<typeof itemImagedDataSchema>;
