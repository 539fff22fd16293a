import { ConfigError, loadConfig } from '@curation/config';
import { imageProcessingConfigSchema } from './image-processing.config';

const required = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  REDIS_URL: 'redis://127.0.0.1:6379',
  S3_ENDPOINT: 'http://127.0.0.1:9000',
  S3_ACCESS_KEY_ID: 'key',
  S3_SECRET_ACCESS_KEY: 'secret',
};

describe('image-processing configuration', () => {
  it('defaults to the featured JPEG, its WebP and AVIF, and a 320 px thumbnail under strict limits', () => {
    const config = loadConfig(imageProcessingConfigSchema, required);
    expect(config.IMAGE_RENDITIONS).toEqual([
      { name: 'featuredImage', width: 1000, format: 'jpeg' },
      { name: 'featuredImage', width: 1000, format: 'webp' },
      { name: 'featuredImage', width: 1000, format: 'avif' },
      { name: 'thumbnail', width: 320, format: 'jpeg' },
    ]);
    expect(config.IMAGE_MAX_BYTES).toBe(25 * 1024 * 1024);
    expect(config.IMAGE_MAX_PIXELS).toBe(50_000_000);
    expect(config.IMAGE_INPUT_FORMATS).toEqual(['jpeg', 'png', 'webp', 'gif', 'avif', 'tiff']);
    expect(config.IMAGE_JPEG_ENCODER).toBe('mozjpeg');
    expect(config.IMAGE_WORKER_CONCURRENCY).toBeGreaterThanOrEqual(1);
    expect(config.OPENPROJECT_API_KEY).toBeUndefined();
  });

  it('reads a custom rendition set and input formats', () => {
    const config = loadConfig(imageProcessingConfigSchema, {
      ...required,
      IMAGE_RENDITIONS: 'featuredImage:1200:jpeg, small:400:webp',
      IMAGE_INPUT_FORMATS: 'JPEG,png',
    });
    expect(config.IMAGE_RENDITIONS).toEqual([
      { name: 'featuredImage', width: 1200, format: 'jpeg' },
      { name: 'small', width: 400, format: 'webp' },
    ]);
    expect(config.IMAGE_INPUT_FORMATS).toEqual(['jpeg', 'png']);
  });

  it('names every bad image variable', () => {
    const attempt = () =>
      loadConfig(imageProcessingConfigSchema, {
        ...required,
        IMAGE_RENDITIONS: 'featuredImage:1000:gif',
        IMAGE_INPUT_FORMATS: 'jpeg,svg',
        IMAGE_BACKGROUND: 'white',
        IMAGE_AVIF_EFFORT: '12',
      });
    expect(attempt).toThrow(ConfigError);
    const problems = (() => {
      try {
        attempt();
        return '';
      } catch (error) {
        return (error as ConfigError).problems.join('\n');
      }
    })();
    for (const name of [
      'IMAGE_RENDITIONS',
      'IMAGE_INPUT_FORMATS',
      'IMAGE_BACKGROUND',
      'IMAGE_AVIF_EFFORT',
    ]) {
      expect(problems).toContain(name);
    }
  });

  it('refuses a rendition set naming the same name and format twice', () => {
    expect(() =>
      loadConfig(imageProcessingConfigSchema, {
        ...required,
        IMAGE_RENDITIONS: 'featuredImage:1000:jpeg,featuredImage:800:jpeg',
      }),
    ).toThrow(/IMAGE_RENDITIONS/);
  });
});
