import { z } from 'zod';
import { imageProblemSchema } from './item-imaged.event';
import { httpUrl } from './shared.schemas';

/** Where the published item lives; the envelope's `revision` is the indexed revision. */
export const itemIndexedDataSchema = z.object({
  /** The search alias the document is indexed under (stable across reindexing). */
  index: z.string().min(1),
  /** S3 key of the Markdown document: `<itemId>.md`, the front matter's `mdName`. */
  documentKey: z.string().min(1),
  bucket: z.string().min(1),
  /*
   * What the editor is told in OpenProject (optional: events indexed before these fields carry
   * none of them).
   */
  /** The document's path on the site (the front matter's `aliases`), e.g. `/news/<slug>`. */
  path: z.string().startsWith('/').optional(),
  /** The work package the item came from, when it came from one. */
  workPackageId: z.number().int().positive().optional(),
  /** The URL the item is published under (`cleanUrl`). */
  url: httpUrl.optional(),
  /** The canonical URL the page named, when it named one. */
  canonicalUrl: httpUrl.optional(),
  /** The item of another work package that publishes the same article (`enriched`'s). */
  sameArticleAs: z.uuid().optional(),
  /** The work-package attachment that could not be used as the featured image, and why. */
  attachmentUnused: z.object({ problem: imageProblemSchema, reason: z.string() }).optional(),
});
export type ItemIndexedData = z.infer<typeof itemIndexedDataSchema>;
