/** Variables whose values never appear in a log line, an error message or an API answer. */
export const SECRET_VARIABLES = [
  'INGESTION_API_TOKEN',
  'OPENPROJECT_API_KEY',
  'OPENPROJECT_WEBHOOK_SECRET',
  'ADMIN_PASSWORD',
  'S3_SECRET_ACCESS_KEY',
  'SEARCH_CURSOR_SECRET',
] as const;

export const REDACTED = '[redacted]';

// Shorter values would blank out ordinary words of a message and hide nothing worth hiding.
const SHORTEST_SCRUBBED = 4;

/** `text` with every secret value of `environment` replaced by `[redacted]`. */
export function scrubSecrets(text: string, environment: Record<string, unknown>): string {
  let scrubbed = text;
  for (const name of SECRET_VARIABLES) {
    const value = environment[name];
    if (typeof value === 'string' && value.length >= SHORTEST_SCRUBBED) {
      scrubbed = scrubbed.replaceAll(value, REDACTED);
    }
  }
  return scrubbed;
}
