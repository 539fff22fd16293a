import { z } from 'zod';
import { httpUrl, offeringLinkSchema } from './shared.schemas';
import { itemReceivedDataSchema } from './item-received.event';

const metaRecord = z.record(z.string(), z.string().nullable());

export const pageMetadataSchema = z.object({
  finalUrl: httpUrl,
  canonicalUrl: httpUrl.optional(),
  /** The `<title>` element's text. */
  title: z.string().optional(),
  /** The page's own summary (og:description, meta description, twitter:description, JSON-LD). */
  description: z.string().optional(),
  siteName: z.string().optional(),
  publisher: z.string().optional(),
  lang: z.string().optional(),
  /** Every `<meta name|property|http-equiv>`, keys without `:`, plus the expected keys as null. */
  htmlMetaData: metaRecord,
  openGraphMetaData: metaRecord,
  twitterMetaData: metaRecord,
  authors: z.array(z.string()),
  publishedAt: z.string().optional(),
  modifiedAt: z.string().optional(),
  imageCandidates: z.array(
    z.object({ url: httpUrl, source: z.enum(['og:image', 'twitter:image', 'json-ld']) }),
  ),
});
export type PageMetadata = z.infer<typeof pageMetadataSchema>;

export const itemEnrichedDataSchema = itemReceivedDataSchema.extend({
  page: pageMetadataSchema,
  article: z.object({
    title: z.string().min(1),
    /** Sanitised HTML paragraphs. */
    bodyHtml: z.string(),
    /** The first ~200 characters of the body text, cut at a word boundary. */
    description: z.string(),
  }),
  derived: z.object({
    brand: z.string().min(1),
    slug: z.string().min(1),
  }),
  relatedOfferings: z.array(offeringLinkSchema).max(5),
  /**
   * `relink`: the same revision enriched again because the offerings catalogue changed;
   * `reextract`: the same revision extracted again from its stored page (`items reextract`).
   */
  trigger: z.enum(['received', 'relink', 'reextract']).optional(),
  enrichedAt: z.iso.datetime({ offset: true }).optional(),
  /**
   * Another work package's item already publishes this article (by the one article rule of
   * enrichment): both publish, and the write-back tells this item's editors.
   */
  sameArticleAs: z.uuid().optional(),
});
export type ItemEnrichedData = z.infer<typeof itemEnrichedDataSchema>;
