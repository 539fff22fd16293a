import { availableParallelism } from 'node:os';
import {
  baseFields,
  environmentFields,
  fetchFields,
  kafkaFields,
  redisFields,
  refuseFetchAllowHostsInProduction,
  s3Fields,
} from '@curation/config';
import { z } from 'zod';

const MB = 1024 * 1024;

export const OUTPUT_FORMATS = ['jpeg', 'webp', 'avif'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const INPUT_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'avif', 'tiff'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

export interface RenditionSpec {
  /** Becomes the key `<itemId>-<name>.<format>`. */
  name: string;
  width: number;
  format: OutputFormat;
}

const RENDITION_PATTERN = /^([A-Za-z][A-Za-z0-9_]*):(\d{1,4}):(jpeg|webp|avif)$/;

/** `name:width:format,...`; the first entry is the main rendition, the document's `featuredImage.href`. */
const renditionList = z
  .string()
  .default(
    'featuredImage:1000:jpeg,featuredImage:1000:webp,featuredImage:1000:avif,thumbnail:320:jpeg',
  )
  .transform((value, context) => {
    const specs: RenditionSpec[] = [];
    for (const entry of value
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)) {
      const match = RENDITION_PATTERN.exec(entry);
      const width = Number(match?.[2]);
      if (!match || width < 16 || width > 4096) {
        context.addIssue({
          code: 'custom',
          message: `"${entry}" is not name:width:format (width 16-4096, format jpeg|webp|avif)`,
        });
        return z.NEVER;
      }
      specs.push({ name: match[1], width, format: match[3] as OutputFormat });
    }
    const keys = specs.map((spec) => `${spec.name}.${spec.format}`);
    if (specs.length === 0 || new Set(keys).size !== keys.length) {
      context.addIssue({
        code: 'custom',
        message: 'at least one rendition, each name:format once',
      });
      return z.NEVER;
    }
    return specs;
  });

const inputFormatList = z
  .string()
  .default(INPUT_FORMATS.join(','))
  .transform((value, context) => {
    const formats = value
      .split(',')
      .map((part) => part.trim().toLowerCase())
      .filter(Boolean);
    const unknown = formats.filter(
      (format) => !(INPUT_FORMATS as readonly string[]).includes(format),
    );
    if (formats.length === 0 || unknown.length > 0) {
      context.addIssue({ code: 'custom', message: `a list of ${INPUT_FORMATS.join('|')}` });
      return z.NEVER;
    }
    return formats as InputFormat[];
  });

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const effort = (max: number, fallback: number) =>
  z.coerce.number().int().min(0).max(max).default(fallback);
const quality = (fallback: number) => z.coerce.number().int().min(1).max(100).default(fallback);

export const imageProcessingConfigSchema = z
  .object({
    ...baseFields,
    ...kafkaFields,
    ...redisFields,
    ...s3Fields,
    IMAGE_PROCESSING_PORT: environmentFields.IMAGE_PROCESSING_PORT,
    ...fetchFields,
    /**
     * Work-package attachments on this origin are downloaded with the API key, even when the host
     * is private; nothing else is fetched from it, and the key goes nowhere else.
     */
    OPENPROJECT_URL: environmentFields.OPENPROJECT_URL.optional(),
    /** Sent as basic auth `apikey:<key>` when downloading a work-package attachment from OPENPROJECT_URL. */
    OPENPROJECT_API_KEY: z.string().min(1).optional(),
    /** false: a worker-only replica that renders queued jobs but does not consume `enriched`. */
    IMAGE_CONSUME_ENRICHED: z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default('true')
      .transform((value) => ['true', '1', 'yes'].includes(value)),
    /** BullMQ key prefix in Redis; the queue dashboard must use the same one. */
    QUEUE_PREFIX: z.string().min(1).default('bull'),
    IMAGE_WORKER_CONCURRENCY: positiveInt(availableParallelism()).pipe(z.number().max(64)),
    /** libvips threads per image (sharp.concurrency); 0 = libvips' own default. */
    IMAGE_VIPS_THREADS: z.coerce.number().int().min(0).max(64).default(1),
    /** libvips operation cache (sharp.cache memory, MB); every source is new, so it rarely hits. */
    IMAGE_VIPS_CACHE_MB: z.coerce.number().int().min(0).default(0),
    IMAGE_MAX_BYTES: positiveInt(25 * MB),
    IMAGE_MAX_PIXELS: positiveInt(50_000_000),
    IMAGE_INPUT_FORMATS: inputFormatList,
    /** How strictly damaged pixel data is refused (sharp `failOn`); 'warning' also refuses decodable files with harmless encoder quirks. */
    IMAGE_FAIL_ON: z.enum(['truncated', 'error', 'warning']).default('error'),
    IMAGE_FETCH_CONNECT_TIMEOUT_MS: positiveInt(5000),
    IMAGE_FETCH_TIMEOUT_MS: positiveInt(30000),
    IMAGE_FETCH_MAX_REDIRECTS: z.coerce.number().int().min(0).max(20).default(5),
    /** Distinct image candidates tried per item (attachment, imageUrl, page images, in that order). */
    IMAGE_MAX_CANDIDATES: z.coerce.number().int().min(1).max(20).default(5),
    /** One deadline for all of an item's downloads (per job attempt). */
    IMAGE_CANDIDATES_BUDGET_MS: positiveInt(45000),
    /**
     * Politeness: least time between two image downloads from one host, across all workers. Lower
     * than pages' because image hosts are mostly CDNs and a host serves many items' images.
     */
    IMAGE_FETCH_HOST_INTERVAL_MS: z.coerce.number().int().min(0).default(100),
    IMAGE_RENDITIONS: renditionList,
    /**
     * Renditions of these formats are rendered after `imaged` by a low-priority job and announced
     * by `renditions-added`; the rest (main JPEG, thumbnail, placeholder, colour) go live first.
     * Off by default: the slow job costs more CPU (a second job, decode, S3 and Kafka round trips,
     * a document update) than the WebP and AVIF it defers (README "Fast and slow path").
     */
    IMAGE_DEFERRED_FORMATS: z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((part) => part.trim().toLowerCase())
          .filter(Boolean),
      )
      .pipe(z.array(z.enum(OUTPUT_FORMATS))),
    IMAGE_DEFERRED_CONCURRENCY: positiveInt(1).pipe(z.number().max(64)),
    /**
     * The slow job starts when the item's `indexed` arrives, or after this long without it (so
     * its `renditions-added` finds the document indexed); 0 starts it at once.
     */
    IMAGE_DEFERRED_DELAY_MS: z.coerce.number().int().min(0).default(30000),
    // Measured (README "Benchmarks", encoders): libjpeg-turbo ≈ 1/5 of mozjpeg's CPU for ≈ 27% more
    // bytes at q80; effort 0 gives the same WebP and AVIF bytes and PSNR as effort 2 for ≈ 1/2 the CPU.
    IMAGE_JPEG_ENCODER: z.enum(['mozjpeg', 'turbo']).default('turbo'),
    IMAGE_JPEG_QUALITY: quality(80),
    IMAGE_WEBP_QUALITY: quality(75),
    IMAGE_WEBP_EFFORT: effort(6, 0),
    IMAGE_AVIF_QUALITY: quality(50),
    IMAGE_AVIF_EFFORT: effort(9, 0),
    /** What transparent pixels become in JPEG renditions. */
    IMAGE_BACKGROUND: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, 'a colour like #ffffff')
      .default('#ffffff'),
    IMAGE_PLACEHOLDER_WIDTH: z.coerce.number().int().min(4).max(64).default(16),
    /** Keys are stable per item (a new image overwrites them), so not `immutable`. */
    IMAGE_CACHE_CONTROL: z
      .string()
      .min(1)
      .default('public, max-age=604800, stale-while-revalidate=86400'),
  })
  .superRefine(refuseFetchAllowHostsInProduction)
  .superRefine((config, context) => {
    if (config.IMAGE_DEFERRED_FORMATS.includes(config.IMAGE_RENDITIONS[0].format)) {
      context.addIssue({
        code: 'custom',
        path: ['IMAGE_DEFERRED_FORMATS'],
        message: 'the main rendition (the first of IMAGE_RENDITIONS) is needed to go live',
      });
    }
    if (config.OPENPROJECT_API_KEY && !config.OPENPROJECT_URL) {
      context.addIssue({
        code: 'custom',
        path: ['OPENPROJECT_URL'],
        message: 'required with OPENPROJECT_API_KEY: the key is only sent to this origin',
      });
    }
  });

export type ImageProcessingConfig = z.infer<typeof imageProcessingConfigSchema>;

/** What goes live with `imaged` (the main rendition first) and what the slow job adds after. */
export function renditionsByPath(config: ImageProcessingConfig): {
  hot: RenditionSpec[];
  deferred: RenditionSpec[];
} {
  const deferred = (spec: RenditionSpec) => config.IMAGE_DEFERRED_FORMATS.includes(spec.format);
  return {
    hot: config.IMAGE_RENDITIONS.filter((spec) => !deferred(spec)),
    deferred: config.IMAGE_RENDITIONS.filter(deferred),
  };
}
