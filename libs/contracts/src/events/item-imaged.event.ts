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
  /** Hex sha256 of the stored bytes; also in the object's `sha256` metadata. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type Rendition = z.infer<typeof renditionSchema>;

export const imageSourceSchema = z.enum([
  'attachment',
  'submission',
  'og:image',
  'twitter:image',
  'json-ld',
]);
export type ImageSource = z.infer<typeof imageSourceSchema>;

/** Why an item has no usable featured image; the item still flows on without one. */
export const imageProblemSchema = z.enum([
  'no-source',
  'fetch-failed',
  'too-large',
  'unsupported-format',
  'too-many-pixels',
  'corrupt',
]);
export type ImageProblem = z.infer<typeof imageProblemSchema>;

const featuredImageFields = z.object({
  valid: z.boolean(),
  /** Why there is no usable image, when `valid` is false (one line per candidate tried). */
  reason: z.string().optional(),
  /** The problem of the preferred candidate, when `valid` is false. */
  problem: imageProblemSchema.optional(),
  source: imageSourceSchema.optional(),
  sourceUrl: z.string().optional(),
  /** The decoded source as it arrived (before orientation): sniffed format, pixels, bytes, sha256. */
  original: z
    .object({
      format: z.string().min(1),
      width: z.number().int().positive(),
      height: z.number().int().positive(),
      bytes: z.number().int().positive(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    })
    .optional(),
  /** The main rendition: its S3 key is the document's `featuredImage.href`. */
  main: renditionSchema.optional(),
  /** Every rendition stored so far: the slow formats are announced later by `renditions-added`. */
  renditions: z.array(renditionSchema),
  /** A tiny blurred preview as a `data:image/webp;base64,...` URI. */
  placeholder: z.string().optional(),
  /** `#rrggbb`. */
  dominantColor: z
    .string()
    .regex(/^#[0-9a-f]{6}$/)
    .optional(),
  wpAttachment: z.object({ fileName: z.string(), link: z.string() }).optional(),
  /**
   * Set when the item had a work-package attachment that could not be used, so the image (if any)
   * came from the submission or the page instead: why, in words fit for an editor.
   */
  attachmentUnused: z.object({ problem: imageProblemSchema, reason: z.string() }).optional(),
});

/**
 * Version 1 events (and image manifests written then) also said `href`, `format` and `size` (the
 * parse drops them) and may lack `main`: their main rendition is the one stored under `href`.
 * Read for one release.
 */
function upgradeVersion1(value: unknown): unknown {
  const image = value as { href?: unknown; main?: unknown; renditions?: unknown } | null;
  if (typeof image !== 'object' || image === null || image.main || !image.href) return value;
  const renditions: unknown[] = Array.isArray(image.renditions) ? image.renditions : [];
  const main = renditions.find((rendition) => (rendition as { key?: unknown })?.key === image.href);
  return { ...image, main };
}

export const featuredImageSchema = z.preprocess(upgradeVersion1, featuredImageFields);
export type FeaturedImage = z.infer<typeof featuredImageSchema>;

export const itemImagedDataSchema = itemEnrichedDataSchema.extend({
  featuredImage: featuredImageSchema,
});
export type ItemImagedData = z.infer<typeof itemImagedDataSchema>;
