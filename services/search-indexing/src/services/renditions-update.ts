import type { Rendition } from '@curation/contracts';
import type { SearchDocument } from './published-document.types';

export type RenditionsUpdate =
  /** Write the document again, same revision, with these renditions. */
  | { kind: 'apply'; document: SearchDocument }
  /** A newer revision is indexed: it has its own renditions, this event changes nothing. */
  | { kind: 'stale' }
  /** Every rendition is already there (a redelivery): nothing to write. */
  | { kind: 'unchanged' }
  /** The revision's document is not in the index: not indexed yet, removed, or failed. */
  | { kind: 'not-indexed' };

/**
 * The revision rule of `renditions-added`: it only ever completes the document of its own
 * revision. The write that follows goes through the same external-version check as every index
 * (version = revision), so a newer revision indexed meanwhile still wins.
 */
export function renditionsUpdate(
  indexed: SearchDocument | undefined,
  event: { revision: number; renditions: Rendition[] },
): RenditionsUpdate {
  if (!indexed || indexed.revision < event.revision) return { kind: 'not-indexed' };
  if (indexed.revision > event.revision) return { kind: 'stale' };
  const have = indexed.renditions ?? [];
  const added = event.renditions.filter(
    (rendition) =>
      !have.some((kept) => kept.key === rendition.key && kept.sha256 === rendition.sha256),
  );
  if (added.length === 0) return { kind: 'unchanged' };
  const replaced = new Set(added.map((rendition) => rendition.key));
  return {
    kind: 'apply',
    document: {
      ...indexed,
      renditions: [...have.filter((kept) => !replaced.has(kept.key)), ...added],
    },
  };
}
