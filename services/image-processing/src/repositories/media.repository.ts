import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, pipelineHistogram } from '@curation/platform';
import sharp from 'sharp';
import type {
  ImageProcessingConfig,
  InputFormat,
  OutputFormat,
  RenditionSpec,
} from '../config/image-processing.config';

/** The one buffer loader libvips uses for each accepted input format; every other loader is blocked. */
const BUFFER_LOADERS: Record<InputFormat, string> = {
  jpeg: 'VipsForeignLoadJpegBuffer',
  png: 'VipsForeignLoadPngBuffer',
  webp: 'VipsForeignLoadWebpBuffer',
  gif: 'VipsForeignLoadNsgifBuffer',
  avif: 'VipsForeignLoadHeifBuffer',
  tiff: 'VipsForeignLoadTiffBuffer',
};

export interface ImageHeader {
  /** Sniffed from the bytes: `heif` with AV1 compression is reported as `avif`. */
  format: string;
  width: number;
  height: number;
}

export type MediaProblem = 'unsupported-format' | 'too-many-pixels' | 'corrupt';

export type HeaderResult =
  { ok: true; header: ImageHeader } | { ok: false; problem: MediaProblem; detail: string };

export interface EncoderSettings {
  jpeg: { encoder: 'mozjpeg' | 'turbo'; quality: number };
  webp: { quality: number; effort: number };
  avif: { quality: number; effort: number };
  /** `#rrggbb` under transparent pixels in JPEG output. */
  background: string;
  placeholderWidth: number;
}

export function encoderSettingsFrom(config: ImageProcessingConfig): EncoderSettings {
  return {
    jpeg: { encoder: config.IMAGE_JPEG_ENCODER, quality: config.IMAGE_JPEG_QUALITY },
    webp: { quality: config.IMAGE_WEBP_QUALITY, effort: config.IMAGE_WEBP_EFFORT },
    avif: { quality: config.IMAGE_AVIF_QUALITY, effort: config.IMAGE_AVIF_EFFORT },
    background: config.IMAGE_BACKGROUND.toLowerCase(),
    placeholderWidth: config.IMAGE_PLACEHOLDER_WIDTH,
  };
}

export interface EncodedRendition {
  spec: RenditionSpec;
  width: number;
  height: number;
  data: Buffer;
}

export interface RenderedImage {
  renditions: EncodedRendition[];
  /** `data:image/webp;base64,...` */
  placeholder: string;
  /** `#rrggbb` */
  dominantColor: string;
}

export type RenditionsResult =
  | { ok: true; renditions: EncodedRendition[] }
  | { ok: false; problem: MediaProblem; detail: string };

/** One decoded image: a fresh sharp pipeline over its pixels for each output. */
interface Decoded {
  width: number;
  image: () => sharp.Sharp;
}

export type RenderResult =
  { ok: true; image: RenderedImage } | { ok: false; problem: MediaProblem; detail: string };

function classify(error: Error): { problem: MediaProblem; detail: string } {
  const detail = error.message.split('\n')[0];
  if (/pixel limit/i.test(detail)) return { problem: 'too-many-pixels', detail };
  if (/unsupported image format|is blocked/i.test(detail)) {
    return { problem: 'unsupported-format', detail };
  }
  return { problem: 'corrupt', detail };
}

const hex = (value: number) => value.toString(16).padStart(2, '0');

/** Width of the copy the placeholder and the dominant colour are taken from. */
export const COLOUR_SAMPLE_WIDTH = 64;

/**
 * The most common colour of 8-bit sRGB pixels: the centre of the fullest bin of a 16×16×16
 * histogram. sharp's `stats().dominant` means the same but also works out every band's
 * statistics, entropy and a convolution for sharpness (≈ 8 ms of CPU even on a 64 px copy, where
 * this takes hundredths of a millisecond), and does not always name the fullest bin (a photo's
 * 64 px copy: 177 pixels in its bin, 192 in another).
 */
export function dominantColour(pixels: Uint8Array, channels: number): string {
  const counts = new Uint32Array(16 * 16 * 16);
  // Alpha is left out, as sharp leaves it out; one grey level stands for all three.
  const [green, blue] = channels >= 3 ? [1, 2] : [0, 0];
  for (let at = 0; at < pixels.length; at += channels) {
    const bin =
      ((pixels[at] >> 4) << 8) | ((pixels[at + green] >> 4) << 4) | (pixels[at + blue] >> 4);
    counts[bin]++;
  }
  let fullest = 0;
  for (let bin = 1; bin < counts.length; bin++) if (counts[bin] > counts[fullest]) fullest = bin;
  const centre = (level: number) => hex(level * 16 + 8);
  return `#${centre(fullest >> 8)}${centre((fullest >> 4) & 15)}${centre(fullest & 15)}`;
}

/** Seconds buckets for one libvips step of one image (a few ms to a few seconds). */
const STAGE_SECONDS_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

const stageSeconds = pipelineHistogram({
  name: 'curation_image_stage_duration_seconds',
  help: 'Time of each step of a render: decode (with the shrink), each rendition (`<name>.<format>`), placeholder-colour (placeholder and dominant colour); steps after the decode run concurrently',
  labelNames: ['stage'] as const,
  buckets: STAGE_SECONDS_BUCKETS,
});

async function timed<T>(stage: string, work: Promise<T>): Promise<T> {
  const stop = stageSeconds.startTimer({ stage });
  try {
    return await work;
  } finally {
    stop();
  }
}

/** All sharp/libvips work of the service; holds no decisions about which image to use. */
@Injectable()
export class MediaRepository {
  private readonly failOn: ImageProcessingConfig['IMAGE_FAIL_ON'];
  private readonly maxPixels: number;

  constructor(@Inject(APP_CONFIG) config: ImageProcessingConfig) {
    this.failOn = config.IMAGE_FAIL_ON;
    this.maxPixels = config.IMAGE_MAX_PIXELS;
    // Process-wide: only the buffer loaders of accepted formats stay reachable (no SVG, PDF, VIPS, ...).
    sharp.block({ operation: ['VipsForeignLoad'] });
    sharp.unblock({
      operation: config.IMAGE_INPUT_FORMATS.map((format) => BUFFER_LOADERS[format]),
    });
    sharp.concurrency(config.IMAGE_VIPS_THREADS);
    // Every source is a new image, so libvips' operation cache would mostly hold memory, not hits.
    sharp.cache(config.IMAGE_VIPS_CACHE_MB > 0 ? { memory: config.IMAGE_VIPS_CACHE_MB } : false);
  }

  /** Reads the header only: nothing is decoded, so a decompression bomb costs nothing here. */
  async readHeader(bytes: Buffer): Promise<HeaderResult> {
    try {
      // Header only, so no pixel limit yet: the caller refuses oversized images naming their size.
      const metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
      const format =
        metadata.format === 'heif'
          ? metadata.compression === 'av1'
            ? 'avif'
            : (metadata.compression ?? 'heif')
          : metadata.format;
      return { ok: true, header: { format, width: metadata.width, height: metadata.height } };
    } catch (error) {
      return { ok: false, ...classify(error as Error) };
    }
  }

  /**
   * Decodes once (shrink-on-load straight to the widest rendition, upright, sRGB) into a raw
   * buffer, then encodes every rendition, the placeholder and the dominant colour from it.
   */
  async render(
    bytes: Buffer,
    specs: RenditionSpec[],
    settings: EncoderSettings,
  ): Promise<RenderResult> {
    try {
      const fromDecoded = await this.decode(bytes, specs);
      const [renditions, { placeholder, dominantColor }] = await Promise.all([
        this.encodeAll(fromDecoded, specs, settings),
        timed('placeholder-colour', this.placeholderAndColour(fromDecoded.image(), settings)),
      ]);
      return {
        ok: true,
        image: {
          renditions,
          placeholder: `data:image/webp;base64,${placeholder.toString('base64')}`,
          dominantColor,
        },
      };
    } catch (error) {
      return { ok: false, ...classify(error as Error) };
    }
  }

  /** The renditions alone, from one decode: the slow formats, after the item went live. */
  async renderRenditions(
    bytes: Buffer,
    specs: RenditionSpec[],
    settings: EncoderSettings,
  ): Promise<RenditionsResult> {
    try {
      const fromDecoded = await this.decode(bytes, specs);
      return { ok: true, renditions: await this.encodeAll(fromDecoded, specs, settings) };
    } catch (error) {
      return { ok: false, ...classify(error as Error) };
    }
  }

  private async decode(bytes: Buffer, specs: RenditionSpec[]): Promise<Decoded> {
    const widest = Math.max(...specs.map((spec) => spec.width));
    const decoded = await timed(
      'decode',
      sharp(bytes, {
        failOn: this.failOn,
        // Second guard behind the header check, in case the header and the data disagree.
        limitInputPixels: this.maxPixels,
        // Animated images: the first frame only.
        pages: 1,
        autoOrient: true,
      })
        .resize({ width: widest, withoutEnlargement: true })
        // Converts CMYK and embedded profiles to sRGB and 16-bit to 8-bit before anything is encoded.
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true }),
    );
    const { width, height, channels } = decoded.info;
    return { width, image: () => sharp(decoded.data, { raw: { width, height, channels } }) };
  }

  private encodeAll(
    decoded: Decoded,
    specs: RenditionSpec[],
    settings: EncoderSettings,
  ): Promise<EncodedRendition[]> {
    return Promise.all(
      specs.map((spec) =>
        timed(
          `${spec.name}.${spec.format}`,
          this.encode(decoded.image(), spec, decoded.width, settings),
        ),
      ),
    );
  }

  /** The placeholder and the dominant colour from one small copy of the decoded pixels. */
  private async placeholderAndColour(
    decoded: sharp.Sharp,
    settings: EncoderSettings,
  ): Promise<{ placeholder: Buffer; dominantColor: string }> {
    const small = await decoded
      .resize({ width: Math.max(COLOUR_SAMPLE_WIDTH, settings.placeholderWidth) })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const { width, height, channels } = small.info;
    const placeholder = await sharp(small.data, { raw: { width, height, channels } })
      .resize({ width: settings.placeholderWidth })
      .webp({ quality: 40, alphaQuality: 40 })
      .toBuffer();
    return { placeholder, dominantColor: dominantColour(small.data, channels) };
  }

  private async encode(
    image: sharp.Sharp,
    spec: RenditionSpec,
    decodedWidth: number,
    settings: EncoderSettings,
  ): Promise<EncodedRendition> {
    if (spec.width < decodedWidth) image.resize({ width: spec.width });
    const encoded = await this.encoder(image, spec.format, settings).toBuffer({
      resolveWithObject: true,
    });
    return { spec, width: encoded.info.width, height: encoded.info.height, data: encoded.data };
  }

  private encoder(image: sharp.Sharp, format: OutputFormat, settings: EncoderSettings) {
    switch (format) {
      case 'jpeg':
        return image.flatten({ background: settings.background }).jpeg({
          quality: settings.jpeg.quality,
          progressive: true,
          // mozjpeg: ~21% fewer bytes for ~5x the CPU of libjpeg-turbo (`npm run bench -- encoders`).
          mozjpeg: settings.jpeg.encoder === 'mozjpeg',
        });
      case 'webp':
        return image.webp({ quality: settings.webp.quality, effort: settings.webp.effort });
      case 'avif':
        return image.avif({
          quality: settings.avif.quality,
          effort: settings.avif.effort,
          // sharp's AVIF default is 4:4:4: ≈ 1.4x the CPU for 3% fewer bytes on photos
          // (`npm run bench -- encoders`); the JPEG and WebP renditions are 4:2:0 already.
          chromaSubsampling: '4:2:0',
        });
    }
  }
}
