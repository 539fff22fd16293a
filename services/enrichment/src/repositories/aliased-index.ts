import type { Client } from '@opensearch-project/opensearch';

/** Creates `<alias>-v1` behind `alias` unless the alias exists, so a later mapping change can reindex and swap. */
export async function ensureAliasedIndex(
  client: Client,
  alias: string,
  body: { settings?: Record<string, unknown>; mappings: Record<string, unknown> },
): Promise<void> {
  const exists = await client.indices.existsAlias({ name: alias });
  if (exists.body) return;
  try {
    await client.indices.create({
      index: `${alias}-v1`,
      body: { ...body, aliases: { [alias]: {} } },
    });
  } catch (error) {
    // Another instance created it first.
    if (errorType(error) !== 'resource_already_exists_exception') throw error;
  }
}

export function errorType(error: unknown): string | undefined {
  const meta = (error as { meta?: { body?: { error?: { type?: string } } } }).meta;
  return meta?.body?.error?.type;
}

export function statusOf(error: unknown): number | undefined {
  return (error as { meta?: { statusCode?: number } }).meta?.statusCode;
}
