import { frontMatterKey } from '@curation/content';
import { Parser } from 'htmlparser2';
import { bylineNames, MAX_AUTHORS } from './byline';
import { resolveHttpUrl } from './url.util';

export type MetaRecord = Record<string, string | null>;
export type ImageSource = 'og:image' | 'twitter:image' | 'json-ld';

export interface JsonLdArticle {
  type: string;
  headline?: string;
  description?: string;
  authors: string[];
  datePublished?: string;
  dateModified?: string;
  images: string[];
  publisher?: string;
}

export interface ExtractedMetadata {
  /** The `<title>` element's text. */
  title?: string;
  canonicalUrl?: string;
  /** The page's own summary: og:description, meta description, twitter:description or JSON-LD. */
  description?: string;
  siteName?: string;
  publisher?: string;
  lang?: string;
  htmlMetaData: MetaRecord;
  openGraphMetaData: MetaRecord;
  twitterMetaData: MetaRecord;
  authors: string[];
  publishedAt?: string;
  modifiedAt?: string;
  imageCandidates: Array<{ url: string; source: ImageSource }>;
  jsonLd?: JsonLdArticle;
  /** Measured in the same pass: what the readable-body budget is decided on. */
  shape: DocumentShape;
}

export interface DocumentShape {
  /** Elements in the page. */
  elements: number;
  /** Deepest element nesting (htmlparser2's open-element stack). */
  depth: number;
}

/** Keys the published document always shows, as null when the page lacks them (see the reference document). */
export const EXPECTED_HTML_META_KEYS = [
  'author',
  'robots',
  'fbapp_id',
  'oglocale',
  'fbadmins',
  'articlepublisher',
  'google-site-verification',
  'keywords',
] as const;
export const EXPECTED_OPEN_GRAPH_KEYS = ['ogimageheight'] as const;

const MAX_META_VALUE_LENGTH = 2048;
/** A hostile page with thousands of meta tags must not blow up the event. */
const MAX_META_TAGS = 300;
const MAX_JSON_LD_LENGTH = 512 * 1024;
/** All JSON-LD blocks of a page together: a page of many blocks costs no more than one big one. */
const MAX_JSON_LD_TOTAL_LENGTH = 1024 * 1024;
const MAX_JSON_LD_BLOCKS = 20;
/** JSON-LD nodes looked at for the article (a `@graph` of 100,000 nodes is not read whole). */
const MAX_JSON_LD_NODES = 1000;
/** JSON-LD image URLs kept; the image stage tries only a handful anyway. */
const MAX_IMAGES = 10;
/** Byline and `rel=author` elements read: a page of 200 bylines reads this many. */
const MAX_BYLINE_CANDIDATES = 20;
const MAX_CAPTURE_LENGTH = 4096;
/** Meta names whose value is a URL: resolved against the page, and dropped unless http(s). */
const URL_VALUED_META = new Set([
  'og:url',
  'og:image',
  'og:image:url',
  'og:image:secure_url',
  'og:video',
  'og:video:url',
  'og:audio',
  'twitter:image',
  'twitter:image:src',
  'twitter:url',
  'twitter:player',
]);
const ARTICLE_TYPES = new Set([
  'article',
  'newsarticle',
  'blogposting',
  'reportagenewsarticle',
  'analysisnewsarticle',
  'opinionnewsarticle',
  'reviewnewsarticle',
  'backgroundnewsarticle',
  'scholarlyarticle',
  'techarticle',
  'report',
  'socialmediaposting',
  'liveblogposting',
]);
const PUBLISHED_META = [
  'article:published_time',
  'og:published_time',
  'datepublished',
  'date',
  'pubdate',
  'publishdate',
  'dc.date',
  'dc.date.issued',
  'dcterms.created',
  'parsely-pub-date',
  'sailthru.date',
  'citation_publication_date',
];
const MODIFIED_META = [
  'article:modified_time',
  'og:updated_time',
  'datemodified',
  'dcterms.modified',
  'last-modified',
];
const AUTHOR_META = [
  'author',
  'article:author',
  'parsely-author',
  'sailthru.author',
  'dc.creator',
  'citation_author',
  'byl',
];

/** DESIGN.md's key rule (`og:site_name` → `ogsite_name`); undefined for a name that is no safe front-matter key. */
export function metaKey(name: string): string | undefined {
  return frontMatterKey(name);
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

function cleanText(value: string, maxLength = MAX_META_VALUE_LENGTH): string {
  return value.replace(CONTROL_CHARACTERS, '').trim().slice(0, maxLength);
}

function collapse(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

/**
 * One htmlparser2 SAX pass over the page: every meta tag, `<title>`, canonical link, JSON-LD,
 * author and date hints. Never throws on broken HTML or broken JSON-LD.
 */
export function extractMetadata(html: string, pageUrl: string): ExtractedMetadata {
  const metaByName = new Map<string, string>();
  const seenNames = new Set<string>();
  const htmlMetaData: MetaRecord = {};
  const openGraphMetaData: MetaRecord = {};
  const twitterMetaData: MetaRecord = {};
  const jsonLdBlocks: string[] = [];
  let title: string | undefined;
  let canonical: string | undefined;
  let lang: string | undefined;
  const relAuthors: string[] = [];
  let relAuthorCandidates = 0;
  let bylineCandidates = 0;
  let jsonLdTotal = 0;
  let itempropAuthors: string[] | undefined;
  let timePublished: string | undefined;

  let bylineAuthors: string[] = [];
  let inJsonLd = false;
  let jsonText = '';
  let capture: Capture | undefined;
  /** The byline capture a `rel=author` link interrupted. */
  let outerCapture: { tag: string; depth: number; text: string } | undefined;
  let captureTag = '';
  let captureDepth = 0;
  let captured = '';
  let svgDepth = 0;
  let openElements = 0;
  const shape: DocumentShape = { elements: 0, depth: 0 };

  const addMeta = (rawName: string, rawContent: string): void => {
    const name = rawName.trim().toLowerCase();
    if (!name || seenNames.has(name) || seenNames.size >= MAX_META_TAGS) return;
    seenNames.add(name);
    let value: string | null = cleanText(rawContent);
    if (URL_VALUED_META.has(name)) value = resolveHttpUrl(value, pageUrl) ?? null;
    if (value !== null) metaByName.set(name, value);
    const key = metaKey(name);
    if (key === undefined) return;
    if (!Object.hasOwn(htmlMetaData, key)) htmlMetaData[key] = value;
    if (name.startsWith('og:') && !Object.hasOwn(openGraphMetaData, key))
      openGraphMetaData[key] = value;
    if (name.startsWith('twitter:') && !Object.hasOwn(twitterMetaData, key))
      twitterMetaData[key] = value;
  };

  const parser = new Parser(
    {
      onopentag(tag, attributes) {
        shape.elements++;
        // Parts of a byline in their own elements ("Jane Doe<br>Staff Writer") stay apart.
        if (capture === 'byline' || capture === 'rel-author' || capture === 'itemprop-author')
          captured += BYLINE_PART_TAGS.has(tag) ? ' | ' : ' ';
        shape.depth = Math.max(shape.depth, ++openElements);
        if (tag === 'svg') svgDepth++;
        if (capture && tag === captureTag) captureDepth++;
        if (!capture && tag !== 'meta') {
          if (!itempropAuthors && hasToken(attributes.itemprop, 'author')) {
            if (attributes.content) itempropAuthors = [cleanText(attributes.content)];
            else startCapture('itemprop-author', tag);
          } else if (
            bylineAuthors.length === 0 &&
            bylineCandidates < MAX_BYLINE_CANDIDATES &&
            BYLINE_TAGS.has(tag) &&
            !(tag === 'a' && hasToken(attributes.rel, 'author')) &&
            BYLINE_CLASS.test(attributes.class ?? '')
          ) {
            bylineCandidates++;
            startCapture('byline', tag);
          }
        }
        switch (tag) {
          case 'html':
            lang ??= attributes.lang?.trim() || undefined;
            return;
          case 'meta': {
            const content = attributes.content;
            if (content === undefined) return;
            // http-equiv tags are HTTP headers, not page metadata: the published document
            // (DESIGN.md and the reference) holds `<meta name|property>` only.
            const name = attributes.name ?? attributes.property;
            if (name) addMeta(name, content);
            if (attributes.itemprop?.toLowerCase() === 'author' && !itempropAuthors)
              itempropAuthors = [cleanText(content)];
            return;
          }
          case 'title':
            if (title === undefined && svgDepth === 0 && !capture) startCapture('title', tag);
            return;
          case 'link': {
            const rel = attributes.rel?.toLowerCase().split(/\s+/) ?? [];
            if (rel.includes('canonical') && canonical === undefined)
              canonical = resolveHttpUrl(attributes.href, pageUrl);
            return;
          }
          case 'script':
            // Script text is raw (no tags inside), so JSON-LD gets its own buffer beside any open capture.
            if (
              attributes.type?.trim().toLowerCase() === 'application/ld+json' &&
              jsonLdBlocks.length < MAX_JSON_LD_BLOCKS &&
              jsonLdTotal < MAX_JSON_LD_TOTAL_LENGTH
            ) {
              inJsonLd = true;
              jsonText = '';
            }
            return;
          case 'a':
            // Every `rel=author` link of the byline ("By <a>A</a> and <a>B</a>"), within a cap;
            // inside a byline element the link's own text is read, not the byline's.
            if (
              (!capture || capture === 'byline') &&
              relAuthors.length < MAX_AUTHORS &&
              relAuthorCandidates < MAX_BYLINE_CANDIDATES &&
              hasToken(attributes.rel, 'author')
            ) {
              relAuthorCandidates++;
              if (capture === 'byline')
                outerCapture = { tag: captureTag, depth: captureDepth, text: captured };
              startCapture('rel-author', tag);
            }
            return;
          case 'time':
            if (
              !timePublished &&
              (hasToken(attributes.itemprop, 'datepublished') || 'pubdate' in attributes)
            ) {
              timePublished = attributes.datetime;
            }
            return;
        }
      },
      ontext(text) {
        if (inJsonLd) {
          if (jsonText.length <= MAX_JSON_LD_LENGTH) jsonText += text;
        } else if (capture && captured.length <= MAX_CAPTURE_LENGTH) {
          captured += text;
          if (outerCapture && outerCapture.text.length <= MAX_CAPTURE_LENGTH)
            outerCapture.text += text;
        }
      },
      onclosetag(tag) {
        // htmlparser2 closes void and implied-closed elements too, so this mirrors its stack.
        openElements--;
        if (tag === 'svg' && svgDepth > 0) svgDepth--;
        if (tag === 'script' && inJsonLd) {
          inJsonLd = false;
          if (jsonText.length <= MAX_JSON_LD_LENGTH) jsonLdBlocks.push(jsonText);
          jsonLdTotal += jsonText.length;
          jsonText = '';
          return;
        }
        if (!capture || tag !== captureTag || --captureDepth > 0) return;
        const kind = capture;
        const text = endCapture();
        if (kind === 'title') title = collapse(text) || undefined;
        else if (kind === 'rel-author') {
          for (const name of bylineNames(text))
            if (relAuthors.length < MAX_AUTHORS && !relAuthors.includes(name))
              relAuthors.push(name);
          if (outerCapture) {
            // Back to the byline element the link sat in.
            capture = 'byline';
            captureTag = outerCapture.tag;
            captureDepth = outerCapture.depth;
            captured = outerCapture.text;
            outerCapture = undefined;
          }
        } else if (kind === 'itemprop-author') {
          const names = bylineNames(text);
          itempropAuthors = names.length > 0 ? names : undefined;
        } else bylineAuthors = bylineNames(text);
      },
    },
    { decodeEntities: true },
  );

  function startCapture(kind: Capture, tag: string): void {
    capture = kind;
    captureTag = tag;
    captureDepth = 1;
    captured = '';
  }
  function endCapture(): string {
    const text = captured;
    capture = undefined;
    captured = '';
    return text;
  }

  parser.end(html);

  const jsonLd = pickArticle(jsonLdBlocks, pageUrl);
  for (const key of EXPECTED_HTML_META_KEYS) if (!(key in htmlMetaData)) htmlMetaData[key] = null;
  for (const key of EXPECTED_OPEN_GRAPH_KEYS)
    if (!(key in openGraphMetaData)) openGraphMetaData[key] = null;

  const meta = (...names: string[]): string | undefined => {
    for (const name of names) {
      const value = metaByName.get(name);
      if (value) return value;
    }
    return undefined;
  };

  const authorFromMeta = AUTHOR_META.map((name) => metaByName.get(name)).find(
    (value): value is string => !!value && !looksLikeUrl(value),
  );
  // Declared authors first (JSON-LD, meta, microdata), then the visible byline: its `rel=author`
  // links, else the names cleaned from the byline element's text.
  const authors = uniqueNames(
    jsonLd?.authors.length
      ? jsonLd.authors
      : authorFromMeta
        ? [authorFromMeta]
        : itempropAuthors?.some(isText)
          ? itempropAuthors
          : relAuthors.length > 0
            ? relAuthors
            : bylineAuthors,
  );

  const imageCandidates: ExtractedMetadata['imageCandidates'] = [];
  const addImage = (url: string | undefined, source: ImageSource): void => {
    const resolved = resolveHttpUrl(url, pageUrl);
    if (resolved && !imageCandidates.some((candidate) => candidate.url === resolved)) {
      imageCandidates.push({ url: resolved, source });
    }
  };
  addImage(meta('og:image', 'og:image:url', 'og:image:secure_url'), 'og:image');
  addImage(meta('twitter:image', 'twitter:image:src'), 'twitter:image');
  for (const image of jsonLd?.images ?? []) addImage(image, 'json-ld');

  return {
    title,
    canonicalUrl: canonical ?? resolveHttpUrl(meta('og:url'), pageUrl),
    description:
      meta('og:description', 'description', 'twitter:description', 'dc.description') ??
      jsonLd?.description,
    siteName: meta('og:site_name', 'application-name'),
    publisher: jsonLd?.publisher ?? meta('og:site_name', 'application-name', 'publisher'),
    lang,
    htmlMetaData,
    openGraphMetaData,
    twitterMetaData,
    authors,
    publishedAt: firstDate(
      jsonLd?.datePublished,
      ...PUBLISHED_META.map((name) => metaByName.get(name)),
      timePublished,
    ),
    modifiedAt: firstDate(
      jsonLd?.dateModified,
      ...MODIFIED_META.map((name) => metaByName.get(name)),
    ),
    imageCandidates,
    jsonLd,
    shape,
  };
}

type Capture = 'title' | 'rel-author' | 'itemprop-author' | 'byline';

/** `class="byline"`, `post-author`, `author__name`...: the visible byline of many CMS themes. */
const BYLINE_CLASS = /(?:^|[\s_-])(?:byline|author)(?:$|[\s_-])/i;

/** Elements that hold one part of a byline: a date, a job title, a line of its own. */
const BYLINE_PART_TAGS = new Set(['br', 'time', 'div', 'p', 'li', 'ul', 'small', 'address']);

/** Small elements only: `<body class="single-author">` is not a byline. */
const BYLINE_TAGS = new Set([
  'span',
  'a',
  'p',
  'div',
  'address',
  'small',
  'strong',
  'em',
  'li',
  'h4',
  'h5',
  'h6',
]);

function hasToken(value: string | undefined, token: string): boolean {
  return value?.toLowerCase().split(/\s+/).includes(token) ?? false;
}

function isText(value: string | undefined): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

function looksLikeUrl(value: string): boolean {
  return /^(https?:)?\/\//i.test(value.trim());
}

function uniqueNames(names: string[]): string[] {
  const seen = new Set<string>();
  const result: string[] = [];
  for (const raw of names) {
    if (result.length >= MAX_AUTHORS) break;
    const name = collapse(raw).replace(/^by\s+/i, '');
    if (name && !seen.has(name.toLowerCase())) {
      seen.add(name.toLowerCase());
      result.push(name.slice(0, 200));
    }
  }
  return result;
}

/** The page's own title: og:title, twitter:title, JSON-LD headline, then `<title>` (often suffixed with the site name). */
export function pageTitle(meta: ExtractedMetadata): string | undefined {
  return (
    (meta.openGraphMetaData.ogtitle ??
      meta.twitterMetaData.twittertitle ??
      meta.jsonLd?.headline ??
      meta.title) ||
    undefined
  );
}

/** ISO-8601 in UTC from the first value that parses as a date. */
export function firstDate(...values: Array<string | undefined>): string | undefined {
  for (const value of values) {
    if (!value?.trim()) continue;
    const time = Date.parse(value.trim());
    if (!Number.isNaN(time)) return new Date(time).toISOString();
  }
  return undefined;
}

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
type JsonObject = { [key: string]: JsonValue };

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function flattenNodes(value: JsonValue, into: JsonObject[], depth = 0): void {
  if (depth > 5 || into.length >= MAX_JSON_LD_NODES) return;
  if (Array.isArray(value)) {
    for (const entry of value) flattenNodes(entry, into, depth + 1);
  } else if (isObject(value)) {
    into.push(value);
    if (value['@graph'] !== undefined) flattenNodes(value['@graph'], into, depth + 1);
  }
}

function typesOf(node: JsonObject): string[] {
  const type = node['@type'];
  const list = Array.isArray(type) ? type : [type];
  return list
    .filter((entry): entry is string => typeof entry === 'string')
    .map((entry) => entry.toLowerCase());
}

function textOf(value: JsonValue | undefined): string | undefined {
  if (typeof value === 'string') return cleanText(value) || undefined;
  if (Array.isArray(value)) return textOf(value[0]);
  return undefined;
}

function namesOf(value: JsonValue | undefined): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return looksLikeUrl(value) ? [] : [value];
  if (Array.isArray(value))
    return value.slice(0, MAX_AUTHORS).flatMap((entry) => namesOf(entry).slice(0, 1));
  if (isObject(value)) return namesOf(value.name);
  return [];
}

function urlsOf(value: JsonValue | undefined): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.slice(0, MAX_IMAGES).flatMap((entry) => urlsOf(entry));
  if (isObject(value)) return urlsOf(value.url ?? value.contentUrl);
  return [];
}

/** The first article-like node of all JSON-LD blocks; broken blocks are skipped. */
function pickArticle(blocks: string[], pageUrl: string): JsonLdArticle | undefined {
  const nodes: JsonObject[] = [];
  for (const block of blocks) {
    try {
      flattenNodes(JSON.parse(block.trim()) as JsonValue, nodes);
    } catch {
      // Invalid JSON-LD is common on real pages; the meta tags still describe the page.
    }
  }
  const article =
    nodes.find((node) => typesOf(node).some((type) => ARTICLE_TYPES.has(type))) ??
    nodes.find((node) => typeof node.headline === 'string');
  if (!article) return undefined;
  return {
    type: typesOf(article)[0] ?? 'thing',
    headline: textOf(article.headline),
    description: textOf(article.description),
    authors: uniqueNames(namesOf(article.author ?? article.creator)),
    datePublished: textOf(article.datePublished ?? article.dateCreated),
    dateModified: textOf(article.dateModified),
    images: urlsOf(article.image ?? article.thumbnailUrl)
      .map((url) => resolveHttpUrl(url, pageUrl))
      .filter(isText),
    publisher: namesOf(article.publisher)[0],
  };
}
