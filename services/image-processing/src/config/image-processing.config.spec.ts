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
    expect(config.IMAGE_JPEG_ENCODER).toBe('turbo');
    expect(config.IMAGE_WEBP_EFFORT).toBe(0);
    expect(config.IMAGE_AVIF_EFFORT).toBe(0);
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

  it('image candidates and SSRF policy defaults: 5 candidates, a 45 s budget, 100 ms per host, ports 80/443 only', () => {
    const config = loadConfig(imageProcessingConfigSchema, required);
    expect(config.IMAGE_MAX_CANDIDATES).toBe(5);
    expect(config.IMAGE_CANDIDATES_BUDGET_MS).toBe(45000);
    expect(config.IMAGE_FETCH_HOST_INTERVAL_MS).toBe(100);
    expect(config.FETCH_ALLOWED_PORTS).toEqual([]);
    expect(config.OPENPROJECT_URL).toBeUndefined();
    expect(
      loadConfig(imageProcessingConfigSchema, { ...required, FETCH_ALLOWED_PORTS: '8080, 8443' })
        .FETCH_ALLOWED_PORTS,
    ).toEqual([8080, 8443]);
    expect(() =>
      loadConfig(imageProcessingConfigSchema, { ...required, FETCH_ALLOWED_PORTS: '80,http' }),
    ).toThrow(/FETCH_ALLOWED_PORTS/);
  });

  it('SSRF policy: FETCH_ALLOW_HOSTS is refused with NODE_ENV=production unless FETCH_ALLOW_HOSTS_IN_PRODUCTION=true', () => {
    const production = { ...required, NODE_ENV: 'production', FETCH_ALLOW_HOSTS: '10.0.0.0/8' };
    expect(() => loadConfig(imageProcessingConfigSchema, production)).toThrow(
      /FETCH_ALLOW_HOSTS: .*FETCH_ALLOW_HOSTS_IN_PRODUCTION=true/,
    );
    expect(
      loadConfig(imageProcessingConfigSchema, {
        ...production,
        FETCH_ALLOW_HOSTS_IN_PRODUCTION: 'true',
      }).FETCH_ALLOW_HOSTS,
    ).toEqual(['10.0.0.0/8']);
    expect(
      loadConfig(imageProcessingConfigSchema, { ...required, NODE_ENV: 'production' })
        .FETCH_ALLOW_HOSTS,
    ).toEqual([]);
    expect(
      loadConfig(imageProcessingConfigSchema, { ...required, FETCH_ALLOW_HOSTS: '127.0.0.1' })
        .FETCH_ALLOW_HOSTS,
    ).toEqual(['127.0.0.1']);
  });

  it('credentials only where they belong: OPENPROJECT_API_KEY needs OPENPROJECT_URL, the only origin it is sent to', () => {
    expect(() =>
      loadConfig(imageProcessingConfigSchema, { ...required, OPENPROJECT_API_KEY: 'key' }),
    ).toThrow(/OPENPROJECT_URL: required with OPENPROJECT_API_KEY/);
    expect(
      loadConfig(imageProcessingConfigSchema, {
        ...required,
        OPENPROJECT_API_KEY: 'key',
        OPENPROJECT_URL: 'http://openproject.internal:8080',
      }).OPENPROJECT_URL,
    ).toBe('http://openproject.internal:8080');
  });
});
