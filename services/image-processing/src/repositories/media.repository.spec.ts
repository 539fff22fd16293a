import { loadConfig } from '@curation/config';
import {
  animatedGif,
  cmykJpeg,
  exifRotatedJpeg,
  hugePng,
  photo,
  photoJpeg,
  transparentPng,
} from '@curation/testing/photo-images';
import sharp from 'sharp';
import { imageProcessingConfigSchema } from '../config/image-processing.config';
import {
  MediaRepository,
  dominantColour,
  type EncoderSettings,
  type RenderedImage,
} from './media.repository';

const config = loadConfig(imageProcessingConfigSchema, {
  KAFKA_BROKERS: '127.0.0.1:9092',
  REDIS_URL: 'redis://127.0.0.1:6379',
  S3_ENDPOINT: 'http://127.0.0.1:9000',
  S3_ACCESS_KEY_ID: 'key',
  S3_SECRET_ACCESS_KEY: 'secret',
  IMAGE_JPEG_ENCODER: 'turbo',
  IMAGE_AVIF_EFFORT: '0',
});
const settings: EncoderSettings = {
  jpeg: { encoder: 'turbo', quality: 80 },
  webp: { quality: 75, effort: 0 },
  avif: { quality: 50, effort: 0 },
  background: '#ff0000',
  placeholderWidth: 16,
};
const media = new MediaRepository(config);

async function render(bytes: Buffer): Promise<RenderedImage> {
  const result = await media.render(bytes, config.IMAGE_RENDITIONS, settings);
  if (!result.ok) throw new Error(`render failed: ${result.problem} ${result.detail}`);
  return result.image;
}

function sizes(image: RenderedImage): string[] {
  return image.renditions.map(
    ({ spec, width, height }) => `${spec.name}.${spec.format} ${width}x${height}`,
  );
}

describe('MediaRepository (sharp)', () => {
  it('makes the featured 1000x666 JPEG, its WebP and AVIF and a 320 px thumbnail from a 1500x999 photo', async () => {
    const image = await render(await photoJpeg(1500, 999));
    expect(sizes(image)).toEqual([
      'featuredImage.jpeg 1000x666',
      'featuredImage.webp 1000x666',
      'featuredImage.avif 1000x666',
      'thumbnail.jpeg 320x213',
    ]);
    const formats = await Promise.all(
      image.renditions.map(async ({ data }) => (await sharp(data).metadata()).format),
    );
    expect(formats).toEqual(['jpeg', 'webp', 'heif', 'jpeg']);
    const main = await sharp(image.renditions[0].data).metadata();
    expect(main.isProgressive).toBe(true);
    expect(main.exif).toBeUndefined();
    expect(image.placeholder).toMatch(/^data:image\/webp;base64,[A-Za-z0-9+/]+=*$/);
    expect(image.placeholder.length).toBeLessThan(400);
    expect(image.dominantColor).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('rounds a 1500x1000 photo to 1000x667', async () => {
    const image = await render(await photoJpeg(1500, 1000, 3));
    expect(sizes(image)[0]).toBe('featuredImage.jpeg 1000x667');
  });

  it('never enlarges a small source', async () => {
    const image = await render(await photoJpeg(600, 400, 4));
    expect(sizes(image)).toEqual([
      'featuredImage.jpeg 600x400',
      'featuredImage.webp 600x400',
      'featuredImage.avif 600x400',
      'thumbnail.jpeg 320x213',
    ]);
  });

  it('takes the dominant colour of the picture: a mostly blue photo with an orange band is blue', async () => {
    const { width, height } = { width: 1200, height: 800 };
    const blue = await sharp({
      create: { width, height, channels: 3, background: { r: 40, g: 90, b: 200 } },
    })
      .composite([
        {
          input: {
            create: { width, height: 150, channels: 3, background: { r: 240, g: 140, b: 20 } },
          },
          top: 0,
          left: 0,
        },
      ])
      .png()
      .toBuffer();
    const image = await render(blue);
    const [r, g, b] = [1, 3, 5].map((at) => parseInt(image.dominantColor.slice(at, at + 2), 16));
    // libvips reports the centre of a 16-level bin: each channel within one bin of the fill.
    expect(Math.abs(r - 40)).toBeLessThanOrEqual(16);
    expect(Math.abs(g - 90)).toBeLessThanOrEqual(16);
    expect(Math.abs(b - 200)).toBeLessThanOrEqual(16);
  });

  it('applies EXIF orientation, then strips it: a 1200x800 photo tagged "rotate 90" comes out 800x1200', async () => {
    const image = await render(await exifRotatedJpeg(1200, 800));
    expect(sizes(image)[0]).toBe('featuredImage.jpeg 800x1200');
    const main = await sharp(image.renditions[0].data).metadata();
    expect(main.orientation).toBeUndefined();
  });

  it('converts CMYK to 3-channel sRGB', async () => {
    const image = await render(await cmykJpeg(1200, 800));
    const main = await sharp(image.renditions[0].data).metadata();
    expect(main.space).toBe('srgb');
    expect(main.channels).toBe(3);
  });

  it('flattens transparency onto the background in JPEG and keeps it in WebP', async () => {
    const image = await render(await transparentPng(800, 400));
    const jpeg = await sharp(image.renditions[0].data).raw().toBuffer({ resolveWithObject: true });
    expect(jpeg.info.channels).toBe(3);
    // A pixel well inside the transparent right half is the configured red.
    const offset = (200 * jpeg.info.width + 700) * 3;
    const [red, green, blue] = jpeg.data.subarray(offset, offset + 3);
    expect(red).toBeGreaterThan(240);
    expect(Math.max(green, blue)).toBeLessThan(16);
    const webp = await sharp(image.renditions[1].data).metadata();
    expect(webp.hasAlpha).toBe(true);
  });

  it('uses the first frame of an animated GIF', async () => {
    const bytes = await animatedGif(300, 200);
    const image = await render(bytes);
    expect(sizes(image)[0]).toBe('featuredImage.jpeg 300x200');
    const first = await photo(300, 200, 1).stats();
    const rendered = await sharp(image.renditions[0].data).stats();
    // Same mean colour as frame 1 (GIF palettes shift it a little), not the three frames stacked.
    rendered.channels.forEach((channel, index) =>
      expect(Math.abs(channel.mean - first.channels[index].mean)).toBeLessThan(12),
    );
  });

  it('reads the header of a 20000x20000 PNG without decoding it', async () => {
    const bomb = await hugePng(20000, 20000);
    const before = process.memoryUsage().rss;
    const header = await media.readHeader(bomb);
    expect(header).toEqual({ ok: true, header: { format: 'png', width: 20000, height: 20000 } });
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('refuses to decode past the pixel limit even when asked to', async () => {
    const result = await media.render(await hugePng(8000, 8000), config.IMAGE_RENDITIONS, settings);
    expect(result).toMatchObject({ ok: false, problem: 'too-many-pixels' });
  });

  it('reports a truncated JPEG as corrupt instead of rendering grey', async () => {
    const bytes = await photoJpeg(1500, 999);
    const result = await media.render(
      bytes.subarray(0, Math.floor(bytes.length * 0.6)),
      config.IMAGE_RENDITIONS,
      settings,
    );
    expect(result).toMatchObject({ ok: false, problem: 'corrupt' });
  });

  it('does not recognise HTML or SVG as an image', async () => {
    const html = await media.readHeader(Buffer.from('<!doctype html><html><body>hi</body></html>'));
    expect(html).toMatchObject({ ok: false, problem: 'unsupported-format' });
    const svg = await media.readHeader(
      Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><image href="http://169.254.169.254/"/></svg>',
      ),
    );
    expect(svg).toMatchObject({ ok: false, problem: 'unsupported-format' });
  });

  it('sniffs AVIF, WebP, GIF and TIFF from the bytes', async () => {
    const source = photo(64, 48, 9);
    const formats = await Promise.all(
      [
        source.clone().avif({ effort: 0 }),
        source.clone().webp(),
        source.clone().gif(),
        source.clone().tiff(),
      ].map(async (image) => {
        const header = await media.readHeader(await image.toBuffer());
        return header.ok ? header.header.format : header.problem;
      }),
    );
    expect(formats).toEqual(['avif', 'webp', 'gif', 'tiff']);
  });

  it('names the centre of the fullest 16-level bin as the dominant colour, alpha left out', () => {
    const pixels = (colours: [number, number, number, number][]) => Buffer.from(colours.flat());
    // 3 + 3 pixels share the bin (6, 6, 6); 5 pixels fill (12, 0, 0) alone.
    const shared = [
      ...Array.from({ length: 3 }, () => [100, 100, 100, 255] as [number, number, number, number]),
      ...Array.from({ length: 3 }, () => [101, 102, 103, 0] as [number, number, number, number]),
    ];
    const red = Array.from(
      { length: 5 },
      () => [200, 0, 0, 255] as [number, number, number, number],
    );
    expect(dominantColour(pixels([...red, ...shared]), 4)).toBe('#686868');
    expect(dominantColour(pixels([...red, ...shared.slice(0, 4)]), 4)).toBe('#c80808');
    // RGB without alpha, and one grey level standing for all three.
    expect(dominantColour(Buffer.from([0, 128, 255, 0, 128, 255, 9, 9, 9]), 3)).toBe('#0888f8');
    expect(dominantColour(Buffer.from([250, 250, 17]), 1)).toBe('#f8f8f8');
  });
});
