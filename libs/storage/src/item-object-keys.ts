/**
 * Where an item's objects live in the bucket, defined once: image-processing writes the
 * renditions and the manifest, enrichment the raw pages, search-indexing writes the Markdown and
 * deletes them all.
 */
export function markdownKey(itemId: string): string {
  return `${itemId}.md`;
}

export function renditionKey(itemId: string, name: string, format: string): string {
  return `${itemId}-${name}.${format}`;
}

export function imageManifestKey(itemId: string): string {
  return `image-manifests/${itemId}.json`;
}

/**
 * The page fetched for one revision of an item, gzip: what re-extraction reads instead of
 * fetching. Under its own top-level prefix, so a site that serves the bucket can leave it out.
 */
export function rawPageKey(itemId: string, revision: number): string {
  return `${rawPagePrefix(itemId)}r${revision}.html.gz`;
}

export function rawPagePrefix(itemId: string): string {
  return `raw-pages/${itemId}/`;
}

/**
 * The prefixes that hold every object of an item, renditions of earlier settings and raw pages of
 * every revision included
 * (item ids are fixed-length UUIDs, so `<itemId>` is nobody else's prefix).
 */
export function itemObjectPrefixes(itemId: string): string[] {
  return [itemId, imageManifestKey(itemId), rawPagePrefix(itemId)];
}
