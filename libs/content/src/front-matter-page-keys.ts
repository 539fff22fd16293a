/**
 * Front-matter keys the reference document (work package 7614) does not have: what the page said
 * of itself and the featured image's preview. Published after all of the reference's keys, in
 * this order, null when unknown.
 */
export const FRONT_MATTER_PAGE_KEYS = [
  'publishedAt',
  'modifiedAt',
  'canonicalUrl',
  'siteName',
  'lang',
  'publisher',
  'featuredImagePlaceholder',
  'featuredImageDominantColor',
] as const;
export type FrontMatterPageKey = (typeof FRONT_MATTER_PAGE_KEYS)[number];
