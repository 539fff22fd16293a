/**
 * Bytes and CPU milliseconds per rendition for each encoder choice the image service offers,
 * on the e2e workload's photos (1500×999 JPEGs), one libvips thread as the service runs it:
 * decode (shrink-on-load to 1000 px) once, then every encoder from the decoded pixels, one at a
 * time, CPU time of this process per operation (so a loaded machine slows it but does not
 * inflate it). Medians over the photos × repeats.
 * Run: `npm run bench -- encoders [--images N] [--repeats N]`.
 */
/* eslint-disable @typescript-eslint/no-restricted-imports -- measures the image service's own colour step */
import sharp from 'sharp';
import { parseArgs } from 'node:util';
import {
  COLOUR_SAMPLE_WIDTH,
  dominantColour,
} from '../services/image-processing/src/repositories/media.repository';
import { photoJpeg } from '../test/support/photo-images';

const { values: args } = parseArgs({
  options: {
    images: { type: 'string', default: '6' },
    repeats: { type: 'string', default: '3' },
  },
});
const IMAGES = Number(args.images);
const REPEATS = Number(args.repeats);

interface Raw {
  data: Buffer;
  info: sharp.OutputInfo;
}
type Variant = { name: string; encode: (raw: Raw) => Promise<Buffer> };

const fromRaw = ({ data, info }: Raw) =>
  sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });

/** The small copy the service takes its placeholder and dominant colour from. */
const colourSample = (raw: Raw): Promise<Raw> =>
  fromRaw(raw).resize({ width: COLOUR_SAMPLE_WIDTH }).raw().toBuffer({ resolveWithObject: true });

const VARIANTS: Variant[] = [
  ...(['mozjpeg', 'turbo'] as const).flatMap((encoder) =>
    [85, 80, 75].map((quality) => ({
      name: `1000 px JPEG ${encoder} q${quality} progressive`,
      encode: (raw: Raw) =>
        fromRaw(raw)
          .jpeg({ quality, progressive: true, mozjpeg: encoder === 'mozjpeg' })
          .toBuffer(),
    })),
  ),
  {
    name: '1000 px JPEG turbo q80 baseline',
    encode: (raw) => fromRaw(raw).jpeg({ quality: 80 }).toBuffer(),
  },
  ...[0, 1, 2, 4].map((effort) => ({
    name: `1000 px WebP q75 effort ${effort}`,
    encode: (raw: Raw) => fromRaw(raw).webp({ quality: 75, effort }).toBuffer(),
  })),
  ...[0, 1, 2, 4].map((effort) => ({
    name: `1000 px AVIF q50 effort ${effort} 4:4:4`,
    encode: (raw: Raw) => fromRaw(raw).avif({ quality: 50, effort }).toBuffer(),
  })),
  ...[0, 2].map((effort) => ({
    name: `1000 px AVIF q50 effort ${effort} 4:2:0`,
    encode: (raw: Raw) =>
      fromRaw(raw).avif({ quality: 50, effort, chromaSubsampling: '4:2:0' }).toBuffer(),
  })),
  ...(['mozjpeg', 'turbo'] as const).map((encoder) => ({
    name: `320 px thumbnail JPEG ${encoder} q80`,
    encode: (raw: Raw) =>
      fromRaw(raw)
        .resize({ width: 320 })
        .jpeg({ quality: 80, progressive: true, mozjpeg: encoder === 'mozjpeg' })
        .toBuffer(),
  })),
  {
    name: '16 px WebP placeholder',
    encode: (raw) => fromRaw(raw).resize({ width: 16 }).webp({ quality: 40 }).toBuffer(),
  },
  {
    name: 'dominant colour (stats of 1000 px)',
    encode: async (raw) => Buffer.from(JSON.stringify((await fromRaw(raw).stats()).dominant)),
  },
  {
    name: 'dominant colour (stats of a 64 px copy, the shrink included)',
    encode: async (raw) =>
      Buffer.from(JSON.stringify((await fromRaw(await colourSample(raw)).stats()).dominant)),
  },
  {
    // As the service does it: the fullest bin of the 64 px copy's histogram, counted in JavaScript.
    name: 'dominant colour (histogram of a 64 px copy, the shrink included)',
    encode: async (raw) => {
      const { data, info } = await colourSample(raw);
      return Buffer.from(dominantColour(data, info.channels));
    },
  },
];

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/** Peak signal-to-noise ratio of an encoded rendition against the pixels it was made from, in dB. */
async function psnr(encoded: Buffer, reference: Raw): Promise<number | undefined> {
  const { data, info } = await sharp(encoded)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== reference.info.width || info.height !== reference.info.height)
    return undefined;
  let squared = 0;
  for (let index = 0; index < data.length; index++) {
    const difference = data[index] - reference.data[index];
    squared += difference * difference;
  }
  return 10 * Math.log10((255 * 255) / (squared / data.length));
}

async function cpuMs<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const before = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(before);
  return { ms: (used.user + used.system) / 1000, result };
}

async function main(): Promise<void> {
  // The service's setting (IMAGE_VIPS_THREADS=1, no operation cache).
  sharp.concurrency(1);
  sharp.cache(false);
  const photos = await Promise.all(
    Array.from({ length: IMAGES }, (_, index) => photoJpeg(1500, 999, index + 1)),
  );
  const decodeMs: number[] = [];
  const samples = new Map<string, { ms: number[]; bytes: number[]; psnr: number[] }>(
    VARIANTS.map((variant) => [variant.name, { ms: [], bytes: [], psnr: [] }]),
  );
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    for (const photo of photos) {
      const decoded = await cpuMs(() =>
        sharp(photo).resize({ width: 1000 }).raw().toBuffer({ resolveWithObject: true }),
      );
      decodeMs.push(decoded.ms);
      for (const variant of VARIANTS) {
        const { ms, result } = await cpuMs(() => variant.encode(decoded.result));
        samples.get(variant.name)!.ms.push(ms);
        samples.get(variant.name)!.bytes.push(result.length);
        if (repeat === 0 && variant.name.startsWith('1000 px')) {
          const quality = await psnr(result, decoded.result);
          if (quality !== undefined) samples.get(variant.name)!.psnr.push(quality);
        }
      }
    }
  }
  const meanKb = (
    photos.reduce((sum, photo) => sum + photo.length, 0) /
    photos.length /
    1024
  ).toFixed(0);
  console.log(
    `encoders: ${IMAGES} photos 1500×999 (mean ${meanKb} KB), ${REPEATS} repeats, 1 libvips thread, CPU ms (median)`,
  );
  console.log(`| step | KB | CPU ms | PSNR dB |\n|---|---|---|---|`);
  console.log(`| decode 1500×999 JPEG, shrink to 1000 px | | ${median(decodeMs).toFixed(0)} | |`);
  for (const [name, { ms, bytes, psnr: quality }] of samples) {
    const kb = name.startsWith('dominant') ? '' : (median(bytes) / 1024).toFixed(1);
    const db = quality.length > 0 ? median(quality).toFixed(2) : '';
    console.log(`| ${name} | ${kb} | ${median(ms).toFixed(1)} | ${db} |`);
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);
