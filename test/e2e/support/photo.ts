import sharp from 'sharp';

/** mulberry32: the same pseudo-random grain every run, so sizes and timings are comparable. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A photo-like JPEG: colour gradients on both axes, soft waves and grain, so the encoders face
 * a photo's entropy (flat colour would flatter them and shrink the files unrealistically).
 */
export function photoJpeg(width: number, height: number, seed = 1, quality = 88): Promise<Buffer> {
  const next = random(seed);
  const tint = [next() * 255, next() * 255, next() * 255];
  const waves = [3 + next() * 9, 3 + next() * 9, 200 + next() * 300];
  const grain = Float32Array.from({ length: 65536 }, () => (next() - 0.5) * 40);
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    const fy = y / height;
    const row = (y * 7919 + seed * 104729) & 0xffff;
    for (let x = 0; x < width; x++) {
      const fx = x / width;
      const wave = 28 * Math.sin(fx * waves[0] + fy * waves[1]) + 10 * Math.sin(fx * waves[2]);
      const noise = grain[(row + x * 31) & 0xffff];
      const offset = (y * width + x) * 3;
      // Buffer writes wrap around (300 becomes 44), hence the clamp.
      pixels[offset] = Math.max(0, Math.min(255, tint[0] * (1 - fx) + 200 * fx + wave + noise));
      pixels[offset + 1] = Math.max(0, Math.min(255, tint[1] * (1 - fy) + 120 * fy - wave + noise));
      pixels[offset + 2] = Math.max(0, Math.min(255, tint[2] * 0.5 + 100 * fx * fy + noise));
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
}
