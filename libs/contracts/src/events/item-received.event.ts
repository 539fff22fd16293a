import { z } from 'zod';
import {
  attachmentSchema,
  customFieldValue,
  httpUrl,
  workPackageRefSchema,
} from './shared.schemas';

/**
 * `bulk`: imports, backfills and re-runs. Their jobs wait while any live item's job waits, so a
 * burst of them does not delay the items editors are waiting for. Absent: a live item.
 */
export const itemPrioritySchema = z.enum(['bulk']);
export type ItemPriority = z.infer<typeof itemPrioritySchema>;

export const itemReceivedDataSchema = z.object({
  source: z.enum(['openproject', 'submission']),
  workPackage: workPackageRefSchema.optional(),
  /** `cleanUrl`: the URL the item is published under. */
  url: httpUrl,
  /** `sourceUrl`: where the editor found it. */
  originalUrl: httpUrl,
  title: z.string().min(1).optional(),
  /** The curator's description (HTML); wins over the article's text when present. */
  descriptionHtml: z.string().optional(),
  /** Set when ingestion cut the description to its size limit (UTF-8 bytes before and after). */
  descriptionCut: z
    .object({
      originalBytes: z.number().int().nonnegative(),
      keptBytes: z.number().int().nonnegative(),
    })
    .optional(),
  topics: z.array(z.string().min(1)),
  imageUrl: httpUrl.optional(),
  attachment: attachmentSchema.optional(),
  /** When the upstream item last changed: the document's `date` and `lastMod`. */
  updatedAt: z.iso.datetime({ offset: true }),
  /** The custom fields by name, as the document's `openProjectCustomFields` shows them. */
  customFields: z.record(z.string(), customFieldValue),
  priority: itemPrioritySchema.optional(),
});
export type ItemReceivedData = z.infer<typeof itemReceivedDataSchema>;
