import { z } from 'zod';
import { ConfigError } from './config-error';
import { environmentFields } from './environment.schemas';
import { loadConfig } from './load-config';

const schema = z.object({
  KAFKA_BROKERS: environmentFields.KAFKA_BROKERS,
  REDIS_URL: environmentFields.REDIS_URL,
  INGESTION_PORT: environmentFields.INGESTION_PORT,
  FETCH_ALLOW_HOSTS: environmentFields.FETCH_ALLOW_HOSTS,
});

describe('loadConfig', () => {
  it('parses and applies defaults', () => {
    const config = loadConfig(schema, {
      KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093',
      REDIS_URL: 'redis://127.0.0.1:6390',
    });
    expect(config).toEqual({
      KAFKA_BROKERS: ['127.0.0.1:9092', '127.0.0.1:9093'],
      REDIS_URL: 'redis://127.0.0.1:6390',
      INGESTION_PORT: 3100,
      FETCH_ALLOW_HOSTS: [],
    });
  });

  it('names every bad variable in one error', () => {
    const attempt = () =>
      loadConfig(schema, { KAFKA_BROKERS: '', REDIS_URL: 'http://x', INGESTION_PORT: '70000' });
    expect(attempt).toThrow(ConfigError);
    const problems = (() => {
      try {
        attempt();
        return '';
      } catch (error) {
        return (error as ConfigError).problems.join('\n');
      }
    })();
    expect(problems).toMatch(/KAFKA_BROKERS/);
    expect(problems).toMatch(/REDIS_URL/);
    expect(problems).toMatch(/INGESTION_PORT/);
  });
});

describe('secrets in configuration errors and logs', () => {
  it('scrubs a secret value from any message that would echo it', () => {
    const echoing = z.object({
      ADMIN_PASSWORD: z.string().refine((value) => value.length > 40, {
        error: (issue) => `too short: ${String(issue.input)}`,
      }),
    });
    const attempt = () => loadConfig(echoing, { ADMIN_PASSWORD: 'hunter2-is-the-password' });
    expect(attempt).toThrow(ConfigError);
    expect(() => attempt()).toThrow(/ADMIN_PASSWORD: too short: \[redacted\]/);
  });
});
