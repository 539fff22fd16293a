import { kafkaFields, loadConfig, openSearchFields, redisFields, s3Fields } from '@curation/config';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';

const testEnvironmentSchema = z.object({
  ...kafkaFields,
  ...redisFields,
  ...openSearchFields,
  ...s3Fields,
});

export type TestEnvironment = z.infer<typeof testEnvironmentSchema>;

/** The real servers' endpoints, as the integration global setup exported them. */
export function testEnvironment(): TestEnvironment {
  return loadConfig(testEnvironmentSchema, process.env);
}

/** A name no other test run uses, so tests can share one broker, node and bucket. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 30000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
