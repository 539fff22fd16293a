import type { Client } from '@opensearch-project/opensearch';
import { isAlreadyExists } from './opensearch-errors';

/** Readers and writers use the alias; the versioned indexes behind it let a mapping change reindex and swap. */
export function versionedIndexName(alias: string, version: number): string {
  return `${alias}-v${version}`;
}

export function indexNamePattern(alias: string): string {
  return `${alias}-v*`;
}

export function indexVersionOf(alias: string, index: string): number | undefined {
  const match = new RegExp(`^${alias.replace(/[-_]/g, '\\$&')}-v(\\d+)$`).exec(index);
  return match ? Number(match[1]) : undefined;
}

export interface AliasedIndexBody {
  settings?: Record<string, unknown>;
  mappings?: Record<string, unknown>;
}

/** The concrete indexes behind the alias (none when it does not exist). */
export async function aliasTargets(client: Client, alias: string): Promise<string[]> {
  const response = await client.indices.getAlias({ name: alias }, { ignore: [404] });
  if (response.statusCode === 404) return [];
  return Object.keys(response.body as object);
}

/**
 * Creates `<alias>-v1` behind `alias` unless the alias exists. Returns the indexes that were
 * already behind it (none when this call created the index). Idempotent, and safe when several
 * instances start at once.
 */
export async function ensureAliasedIndex(
  client: Client,
  alias: string,
  body: AliasedIndexBody = {},
): Promise<string[]> {
  const existing = await aliasTargets(client, alias);
  if (existing.length > 0) return existing;
  const first = versionedIndexName(alias, 1);
  try {
    await client.indices.create({
      index: first,
      body: { ...body, aliases: { [alias]: { is_write_index: true } } } as never,
    });
    return [];
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  // Another instance created the index; it may not have added the alias yet.
  const targets = await aliasTargets(client, alias);
  if (targets.length > 0) return targets;
  await client.indices.updateAliases({
    body: { actions: [{ add: { index: first, alias, is_write_index: true } }] },
  });
  return [first];
}
