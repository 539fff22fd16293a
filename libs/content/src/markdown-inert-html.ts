import { escapeAttribute, escapeText } from 'entities';
import { DomUtils, parseDocument } from 'htmlparser2';

type DomNode = ReturnType<typeof parseDocument>['children'][number];

/**
 * Tags that open a CommonMark HTML block (type 6, and `pre` of type 1): a body that starts with
 * one of them and holds no line break is a single HTML block, which Markdown never parses inside.
 */
const HTML_BLOCK_TAGS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'details',
  'dialog',
  'dd',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'ul',
]);

/**
 * Besides `&`, `<`, `>` and U+00A0 (entities' `escapeText`), text escapes as numeric references:
 * - `{`: Hugo finds shortcodes (`{{<`, `{{%`) in the Markdown source before any Markdown parsing,
 *   so no HTML block protects them; `}` alone opens nothing.
 * - `[` and `]`: the only way to a link, image or reference definition once `<` is escaped. Inert
 *   anyway inside the single HTML block; escaped so that the body stays inert even if a renderer
 *   ever reads it as a paragraph.
 * - U+2028/U+2029: not line endings for CommonMark, but for other line-based readers; as
 *   references they show the same.
 * `!`, `*`, `_` and backticks are left as they are: they only make images together with `[`, or
 * emphasis and code spans, never a link or raw HTML.
 */
const TEXT_REFERENCED = /[[\]{\u2028\u2029]/g;
/** Attribute values are inside a tag for every Markdown reader; only Hugo's source scan and line breaks matter. */
const ATTRIBUTE_REFERENCED = /[{\r\n\u2028\u2029]/g;
/** CommonMark's line endings: any of them inside the body could start the blank line that ends the HTML block. */
const LINE_BREAK = /\r\n?|\n/g;

function numericReference(character: string): string {
  return `&#${character.codePointAt(0)};`;
}

/**
 * Decoded text as HTML text that no Markdown reader or Hugo can re-interpret. Line breaks become
 * spaces (HTML shows both as one space) or, where they show (`pre`), `&#10;`.
 */
export function markdownInertText(text: string, keepLineBreaks = false): string {
  return escapeText(text)
    .replace(LINE_BREAK, keepLineBreaks ? '&#10;' : ' ')
    .replace(TEXT_REFERENCED, numericReference);
}

function markdownInertAttribute(value: string): string {
  return escapeAttribute(value).replace(ATTRIBUTE_REFERENCED, numericReference);
}

function makeInert(nodes: DomNode[], inPre: boolean): void {
  for (const node of [...nodes]) {
    if (DomUtils.isText(node)) {
      node.data = markdownInertText(node.data, inPre);
    } else if (DomUtils.isTag(node)) {
      for (const [name, value] of Object.entries(node.attribs)) {
        node.attribs[name] = markdownInertAttribute(value);
      }
      makeInert(node.children, inPre || node.name === 'pre');
    } else {
      // Comments, directives, CDATA: never in sanitised HTML, and a comment may hold line breaks.
      DomUtils.removeElement(node);
    }
  }
}

function isBlank(node: DomNode): boolean {
  return DomUtils.isText(node) && node.data.trim() === '';
}

/**
 * Sanitised HTML as one line that opens an HTML block: whatever its text holds (blank lines,
 * CRs, `[x](javascript:...)`, `{{< shortcode >}}`, entities decoding to them), a CommonMark
 * renderer with raw HTML on passes it through untouched, and Hugo finds no shortcode in it.
 * What a reader sees is unchanged. Idempotent. The input must already be sanitised: this keeps
 * its elements and attributes as they are.
 */
export function markdownInertHtml(sanitisedHtml: string): string {
  const document = parseDocument(sanitisedHtml, { decodeEntities: true });
  makeInert(document.children, false);
  const nodes = document.children;
  let firstBlock = nodes.findIndex(
    (node) => DomUtils.isTag(node) && HTML_BLOCK_TAGS.has(node.name),
  );
  if (firstBlock === -1) firstBlock = nodes.length;
  const leading = nodes.slice(0, firstBlock);
  // Text or inline elements first would make a Markdown paragraph: they get a paragraph of their own.
  const opening = leading.every(isBlank) ? '' : `<p>${serialise(leading).trim()}</p>`;
  return `${opening}${serialise(nodes.slice(firstBlock))}`.trim();
}

function serialise(nodes: DomNode[]): string {
  // Text and attributes are escaped above; the serialiser writes them as they are.
  return DomUtils.getOuterHTML(nodes, { encodeEntities: false, decodeEntities: false });
}

/** Plain text (paragraphs separated by blank lines) as HTML paragraphs under the same rule. */
export function markdownInertParagraphs(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .map((paragraph) => `<p>${markdownInertText(paragraph)}</p>`)
    .join('');
}
