import sharp from 'sharp';
import { seededRandom as random } from './seeded-random';

/**
 * Photo-like RGB pixels: two-axis colour gradients, soft waves, a few filled shapes and grain,
 * so encoders face the kind of entropy a real photo has (flat colour would flatter them).
 */
export function photoPixels(width: number, height: number, seed = 1): Buffer {
  const next = random(seed);
  const pixels = Buffer.alloc(width * height * 3);
  const tint = [next() * 255, next() * 255, next() * 255];
  const [waveX, waveY] = [2 + next() * 8, 2 + next() * 8];
  // Fine texture (foliage, fabric) that survives the downscale to 1000 px, unlike pixel grain.
  const [fineX, fineY] = [300 + next() * 300, 200 + next() * 300];
  const shapes = Array.from({ length: 6 }, () => ({
    x: next() * width,
    y: next() * height,
    r: (0.05 + next() * 0.2) * Math.min(width, height),
    colour: [next() * 255, next() * 255, next() * 255],
    round: next() < 0.5,
  }));
  // Grain from a table with a row-dependent offset: cheap per pixel yet without visible tiling.
  const grain = Float32Array.from({ length: 65536 }, () => (next() - 0.5) * 36);
  // sin(a + b) = sin a cos b + cos a sin b, so the wave needs no trigonometry per pixel.
  const sinX = Float32Array.from({ length: width }, (_, x) => Math.sin((x / width) * waveX));
  const cosX = Float32Array.from({ length: width }, (_, x) => Math.cos((x / width) * waveX));
  const fineRow = Float32Array.from({ length: width }, (_, x) => Math.sin((x / width) * fineX));
  const spans = new Float64Array(shapes.length * 2);
  for (let y = 0; y < height; y++) {
    const fy = y / height;
    const sinY = Math.sin(fy * waveY);
    const cosY = Math.cos(fy * waveY);
    const fineColumn = 14 * Math.sin(fy * fineY);
    shapes.forEach((shape, index) => {
      const dy = Math.abs(y - shape.y);
      const half = shape.round
        ? dy < shape.r
          ? Math.sqrt(shape.r * shape.r - dy * dy)
          : -1
        : dy < shape.r * 0.6
          ? shape.r
          : -1;
      spans[index * 2] = shape.x - half;
      spans[index * 2 + 1] = half < 0 ? -Infinity : shape.x + half;
    });
    const grainRow = (y * 7919 + seed * 104729) & 0xffff;
    for (let x = 0; x < width; x++) {
      const fx = x / width;
      const wave = 30 * (sinX[x] * cosY + cosX[x] * sinY) + fineColumn * fineRow[x];
      let r = tint[0] * (1 - fx) + 200 * fx + wave;
      let g = tint[1] * (1 - fy) + 120 * fy - wave;
      let b = tint[2] * 0.5 + 100 * fx * fy + wave;
      for (let index = 0; index < shapes.length; index++) {
        if (x >= spans[index * 2] && x <= spans[index * 2 + 1]) {
          const colour = shapes[index].colour;
          r = (r + colour[0]) / 2;
          g = (g + colour[1]) / 2;
          b = (b + colour[2]) / 2;
        }
      }
      const noise = grain[(grainRow + x * 31) & 0xffff];
      const offset = (y * width + x) * 3;
      // Uint8Array writes wrap around (300 becomes 44), hence the clamp.
      pixels[offset] = Math.max(0, Math.min(255, r + noise));
      pixels[offset + 1] = Math.max(0, Math.min(255, g + noise));
      pixels[offset + 2] = Math.max(0, Math.min(255, b + noise));
    }
  }
  return pixels;
}

export function photo(width: number, height: number, seed = 1): sharp.Sharp {
  return sharp(photoPixels(width, height, seed), { raw: { width, height, channels: 3 } });
}

export function photoJpeg(width: number, height: number, seed = 1, quality = 88): Promise<Buffer> {
  return photo(width, height, seed).jpeg({ quality }).toBuffer();
}

/** A ~1 MB PNG of `width`×`height` flat pixels: a decompression bomb for the pixel limit. */
export function hugePng(width: number, height: number): Promise<Buffer> {
  return sharp(Buffer.alloc(16 * 16 * 3, 128), { raw: { width: 16, height: 16, channels: 3 } })
    .resize(width, height, { kernel: 'nearest' })
    .png({ compressionLevel: 6, adaptiveFiltering: false })
    .toBuffer();
}

/** `width`×`height` photo stored with EXIF orientation 6 (shown rotated 90° clockwise). */
export function exifRotatedJpeg(width: number, height: number): Promise<Buffer> {
  return photo(width, height, 7).withMetadata({ orientation: 6 }).jpeg().toBuffer();
}

export function cmykJpeg(width: number, height: number): Promise<Buffer> {
  return photo(width, height, 11).toColourspace('cmyk').jpeg().toBuffer();
}

/** Left half opaque photo, right half fully transparent. */
export async function transparentPng(width: number, height: number): Promise<Buffer> {
  const rgb = photoPixels(width, height, 13);
  const rgba = Buffer.alloc(width * height * 4);
  for (let index = 0; index < width * height; index++) {
    rgb.copy(rgba, index * 4, index * 3, index * 3 + 3);
    rgba[index * 4 + 3] = index % width < width / 2 ? 255 : 0;
  }
  return sharp(rgba, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

/** Three frames of different photos; only the first must be used. */
export async function animatedGif(width: number, height: number): Promise<Buffer> {
  const frames = Buffer.concat([1, 2, 3].map((seed) => photoPixels(width, height, seed)));
  return sharp(frames, { raw: { width, height: height * 3, channels: 3, pageHeight: height } })
    .gif({ delay: [100, 100, 100] })
    .toBuffer();
}
