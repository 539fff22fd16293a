import { ConfigError, loadConfig } from '@curation/config';
import { ingestionConfigSchema } from './ingestion.config';

const minimal = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  REDIS_URL: 'redis://127.0.0.1:6379',
  OPENPROJECT_URL: 'https://openproject.example.org',
  OPENPROJECT_API_KEY: 'key',
  OPENPROJECT_TYPE_ID: '7',
  OPENPROJECT_WEBHOOK_SECRET: 'secret',
};

function problems(environment: Record<string, string>): string {
  try {
    loadConfig(ingestionConfigSchema, environment);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  return '';
}

describe('ingestion configuration', () => {
  it('applies the defaults', () => {
    const config = loadConfig(ingestionConfigSchema, minimal);
    expect(config).toMatchObject({
      INGESTION_PORT: 3100,
      OPENPROJECT_TYPE_ID: 7,
      OPENPROJECT_UNPUBLISHED_STATUSES: ['Rejected', 'Closed'],
      OPENPROJECT_FEATURED_IMAGE_NAMES: ['featured'],
      OPENPROJECT_SWEEP_INTERVAL_SECONDS: 300,
      OPENPROJECT_RETRY_BUDGET_SECONDS: 600,
      INGESTION_REDIS_KEY_PREFIX: 'curation:ingestion',
      DEVELOPMENT_MODE: false,
    });
    expect(config.INGESTION_API_TOKEN).toBeUndefined();
    expect(config.OPENPROJECT_CF_CLEAN_URL).toBeUndefined();
  });

  it('refuses to run without a webhook secret unless DEVELOPMENT_MODE=true', () => {
    expect(problems({ ...minimal, OPENPROJECT_WEBHOOK_SECRET: '' })).toMatch(
      /OPENPROJECT_WEBHOOK_SECRET/,
    );
    const development = { ...minimal, OPENPROJECT_WEBHOOK_SECRET: '', DEVELOPMENT_MODE: 'true' };
    expect(
      loadConfig(ingestionConfigSchema, development).OPENPROJECT_WEBHOOK_SECRET,
    ).toBeUndefined();
  });

  it('names every missing or malformed variable', () => {
    const reported = problems({
      KAFKA_BROKERS: '127.0.0.1:9092',
      REDIS_URL: 'redis://127.0.0.1:6379',
      OPENPROJECT_URL: 'ftp://x',
      OPENPROJECT_CF_CLEAN_URL: 'cleanUrl',
      OPENPROJECT_SWEEP_INTERVAL_SECONDS: '-1',
    });
    for (const name of [
      'OPENPROJECT_URL',
      'OPENPROJECT_API_KEY',
      'OPENPROJECT_TYPE_ID',
      'OPENPROJECT_CF_CLEAN_URL',
      'OPENPROJECT_SWEEP_INTERVAL_SECONDS',
    ]) {
      expect(reported).toContain(name);
    }
  });

  it('accepts custom-field ids as numbers or keys', () => {
    const config = loadConfig(ingestionConfigSchema, {
      ...minimal,
      OPENPROJECT_CF_CLEAN_URL: '12',
      OPENPROJECT_CF_MEDIGY_TOPICS: 'customField21',
    });
    expect(config.OPENPROJECT_CF_CLEAN_URL).toBe('12');
    expect(config.OPENPROJECT_CF_MEDIGY_TOPICS).toBe('customField21');
  });

  describe('closed by default in production', () => {
    const production = { ...minimal, NODE_ENV: 'production' };

    it('refuses NODE_ENV=production without INGESTION_API_TOKEN', () => {
      expect(problems(production)).toMatch(
        /INGESTION_API_TOKEN: required with NODE_ENV=production/,
      );
    });

    it('starts in production with a token, or with INGESTION_API_OPEN=true on purpose', () => {
      expect(problems({ ...production, INGESTION_API_TOKEN: 'a-long-token' })).toBe('');
      const open = loadConfig(ingestionConfigSchema, { ...production, INGESTION_API_OPEN: 'true' });
      expect(open.INGESTION_API_OPEN).toBe(true);
    });

    it('stays open in development without a token', () => {
      expect(problems(minimal)).toBe('');
    });

    it('refuses DEVELOPMENT_MODE=true with NODE_ENV=production, naming both', () => {
      const reported = problems({
        ...production,
        INGESTION_API_TOKEN: 'a-long-token',
        DEVELOPMENT_MODE: 'true',
      });
      expect(reported).toMatch(/DEVELOPMENT_MODE/);
      expect(reported).toMatch(/NODE_ENV=production/);
    });
  });

  it('secrets in configuration errors: no value of a secret variable is echoed', () => {
    const secrets = {
      OPENPROJECT_API_KEY: 'api-key-SECRET-1',
      OPENPROJECT_WEBHOOK_SECRET: 'webhook-SECRET-2',
      INGESTION_API_TOKEN: 'token-SECRET-3',
      ADMIN_PASSWORD: 'short',
    };
    const reported = problems({
      ...minimal,
      ...secrets,
      NODE_ENV: 'production',
      DEVELOPMENT_MODE: 'true',
      OPENPROJECT_URL: 'ftp://x',
    });
    expect(reported).toMatch(/ADMIN_PASSWORD/);
    for (const value of Object.values(secrets)) expect(reported).not.toContain(value);
  });
});
