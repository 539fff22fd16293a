/**
 * Where an item's objects live in the bucket, defined once: image-processing writes the
 * renditions and the manifest, search-indexing writes the Markdown and deletes them all.
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
 * The prefixes that hold every object of an item, renditions of earlier settings included
 * (item ids are fixed-length UUIDs, so `<itemId>` is nobody else's prefix).
 */
export function itemObjectPrefixes(itemId: string): string[] {
  return [itemId, imageManifestKey(itemId)];
}
