/**
 * What a stored article body may contain: text structure and links only; no scripts, event
 * handlers, styles, frames or images. Enrichment sanitises with it; search-indexing again
 * before publishing.
 */
export const ARTICLE_ALLOWED_TAGS = [
  'p',
  'a',
  'strong',
  'em',
  'b',
  'i',
  'u',
  'ul',
  'ol',
  'li',
  'blockquote',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'br',
  'pre',
  'code',
  'sub',
  'sup',
  'figure',
  'figcaption',
];

export const ARTICLE_ALLOWED_ATTRIBUTES = { a: ['href'] };

export const ARTICLE_ALLOWED_SCHEMES = ['http', 'https', 'mailto'];
