import { z } from 'zod';

/** Where the published item lives; the envelope's `revision` is the indexed revision. */
export const itemIndexedDataSchema = z.object({
  /** The search alias the document is indexed under (stable across reindexing). */
  index: z.string().min(1),
  /** S3 key of the Markdown document: `<itemId>.md`, the front matter's `mdName`. */
  documentKey: z.string().min(1),
  bucket: z.string().min(1),
});
export type ItemIndexedData = z.infer<typeof itemIndexedDataSchema>;
