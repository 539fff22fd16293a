import { z } from 'zod';
import { ConfigError } from './config-error';
import { scrubSecrets } from './secret-variables';
import { issueLines } from './zod-issues';

export type Environment = Record<string, string | undefined>;

/**
 * Validates the environment once at start-up into a typed object; every bad variable is
 * named in one error so an operator fixes them all in one go, without echoing a secret.
 */
export function loadConfig<Schema extends z.ZodType>(
  schema: Schema,
  environment: Environment = process.env,
): z.infer<Schema> {
  const result = schema.safeParse(environment);
  if (result.success) return result.data;
  throw new ConfigError(
    issueLines(result.error, '(environment)').map((line) => scrubSecrets(line, environment)),
  );
}
