import {
  ARTICLE_ALLOWED_ATTRIBUTES,
  ARTICLE_ALLOWED_SCHEMES,
  ARTICLE_ALLOWED_TAGS,
  markdownInertHtml,
} from '@curation/content';
import { Readability } from '@mozilla/readability';
import { Parser } from 'htmlparser2';
import { parseHTML } from 'linkedom';
import sanitizeHtml from 'sanitize-html';
import { removeBoilerplate } from './boilerplate';
import { bylineNames } from './byline';
import { resolveHttpUrl } from './url.util';

export interface ReadableArticle {
  /** Sanitised HTML paragraphs, empty when the page has no readable text. */
  html: string;
  /** The first name of Readability's byline, cleaned (see `bylineNames`). */
  byline?: string;
  /** Every name of Readability's byline, cleaned. */
  bylineAuthors: string[];
  /** Readability gave up: the page holds more than `maxElements` elements. */
  overElementBudget?: boolean;
}

const BLOCK_TAGS = new Set([
  'p',
  'h2',
  'h3',
  'h4',
  'ul',
  'ol',
  'li',
  'blockquote',
  'pre',
  'br',
  'figure',
  'figcaption',
]);

/**
 * The article allow-list, with links made absolute against the page; Markdown-inert as it will
 * be published, so the size cap measures what is published.
 */
export function sanitizeBody(html: string, baseUrl: string): string {
  const sanitised = sanitizeHtml(html, {
    allowedTags: ARTICLE_ALLOWED_TAGS,
    allowedAttributes: ARTICLE_ALLOWED_ATTRIBUTES,
    allowedSchemes: ARTICLE_ALLOWED_SCHEMES,
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    nonTextTags: [
      'script',
      'style',
      'textarea',
      'option',
      'noscript',
      'iframe',
      'object',
      'embed',
      'svg',
      'template',
    ],
    transformTags: {
      a: (tagName, attributes) => {
        const href = attributes.href?.startsWith('mailto:')
          ? attributes.href
          : resolveHttpUrl(attributes.href, baseUrl);
        const attribs: Record<string, string> = href ? { href } : {};
        return { tagName, attribs };
      },
      h1: 'h2',
    },
    exclusiveFilter: (frame) =>
      frame.tag === 'p' && !frame.text.trim() && !frame.mediaChildren.length,
  });
  return markdownInertHtml(sanitised);
}

/**
 * @mozilla/readability on linkedom (8× faster than jsdom, PERFORMANCE.md) finds the article; the
 * result is sanitised and capped at a paragraph boundary.
 */
export function extractReadableArticle(
  html: string,
  pageUrl: string,
  maxBytes: number,
  maxElements = 0,
  /** `keep`: Readability alone, the benchmark's baseline. */
  furniture: 'remove' | 'keep' = 'remove',
): ReadableArticle {
  const { document } = parseHTML(html);
  // Readability's own maxElemsToParse counts getElementsByTagName('*'), which linkedom answers
  // with no elements: the budget is counted here.
  if (maxElements > 0 && document.querySelectorAll('*').length > maxElements)
    return { html: '', bylineAuthors: [], overElementBudget: true };
  if (furniture === 'remove') removeBoilerplate(document as never, maxElements || undefined);
  let parsed: ReturnType<Readability['parse']> = null;
  try {
    parsed = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0], {
      charThreshold: 200,
      maxElemsToParse: maxElements,
    }).parse();
  } catch {
    parsed = null;
  }
  const content = parsed?.content ?? '';
  const bylineAuthors = parsed?.byline ? bylineNames(parsed.byline) : [];
  return {
    html: capHtml(sanitizeBody(content, pageUrl), maxBytes, pageUrl),
    byline: bylineAuthors[0],
    bylineAuthors,
  };
}

/** Keeps the event well under Kafka's message limit: whole paragraphs up to `maxBytes`. */
export function capHtml(html: string, maxBytes: number, baseUrl: string): string {
  if (Buffer.byteLength(html) <= maxBytes) return html;
  let cut = html.slice(0, maxBytes);
  while (Buffer.byteLength(cut) > maxBytes) cut = cut.slice(0, Math.floor(cut.length * 0.9));
  const lastParagraph = cut.lastIndexOf('</p>');
  if (lastParagraph > 0) cut = cut.slice(0, lastParagraph + 4);
  // Sanitising again closes whatever the cut left open.
  return sanitizeBody(cut, baseUrl);
}

/** Block texts of sanitised HTML, whitespace collapsed. */
export function paragraphsOf(html: string): string[] {
  const paragraphs: string[] = [];
  let current = '';
  const flush = (): void => {
    const text = current.replace(/\s+/g, ' ').trim();
    if (text) paragraphs.push(text);
    current = '';
  };
  const parser = new Parser(
    {
      onopentag: (tag) => void (BLOCK_TAGS.has(tag) && flush()),
      ontext: (text) => void (current += text),
      onclosetag: (tag) => void (BLOCK_TAGS.has(tag) && flush()),
    },
    { decodeEntities: true },
  );
  parser.end(html);
  flush();
  return paragraphs;
}

/** The first ~`maxLength` characters of the text, paragraphs joined by a space, cut at a word boundary. */
export function summarise(html: string, maxLength = 200): string {
  const text = paragraphsOf(html).join(' ').replace(/\s+/g, ' ').trim();
  if (text.length <= maxLength) return text;
  const cut = text.slice(0, maxLength + 1);
  const boundary = cut.lastIndexOf(' ');
  return (boundary > maxLength / 2 ? cut.slice(0, boundary) : text.slice(0, maxLength)).trim();
}
