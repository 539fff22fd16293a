import { escapeText } from 'entities';
import { Parser } from 'htmlparser2';
import { isBoilerplateElement } from './boilerplate';
import { capHtml, sanitizeBody } from './readable-body';

/** Never page text: code, styling, forms and site chrome. */
const SKIPPED = new Set([
  'head',
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'math',
  'iframe',
  'object',
  'embed',
  'textarea',
  'select',
  'button',
  'form',
  'nav',
  'header',
  'footer',
  'aside',
]);

/** Elements whose boundaries end a paragraph of text. */
const BLOCKS = new Set([
  'p',
  'div',
  'section',
  'article',
  'main',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'li',
  'dt',
  'dd',
  'blockquote',
  'pre',
  'br',
  'hr',
  'table',
  'tr',
  'td',
  'th',
  'figure',
  'figcaption',
]);

/**
 * The page's text as `<p>` paragraphs, at most `maxBytes`: one SAX pass, linear in the page
 * whatever its depth or width, for pages too large for Readability.
 */
export function plainTextBody(html: string, pageUrl: string, maxBytes: number): string {
  const paragraphs: string[] = [];
  let bytes = 0;
  let full = false;
  let skipping = 0;
  /** Per open element: whether it started a skipped region (htmlparser2 closes every element it opens). */
  const skipStack: boolean[] = [];
  let current = '';

  const flush = (): void => {
    const text = current.replace(/\s+/g, ' ').trim();
    current = '';
    if (!text || full) return;
    let paragraph = `<p>${escapeText(text)}</p>`;
    let size = Buffer.byteLength(paragraph);
    if (bytes + size > maxBytes) {
      full = true;
      // One UTF-16 unit is at most 6 bytes here (`&nbsp;`; UTF-8 needs at most 3).
      const room = Math.floor((maxBytes - bytes - 7) / 6);
      if (room < 40) return;
      paragraph = `<p>${escapeText(text.slice(0, room))}</p>`;
      size = Buffer.byteLength(paragraph);
    }
    paragraphs.push(paragraph);
    bytes += size;
  };

  const parser = new Parser(
    {
      onopentag(tag, attributes) {
        const skipped = SKIPPED.has(tag) || isBoilerplateElement(tag, attributes, 'consent-only');
        skipStack.push(skipped);
        if (skipped) skipping++;
        else if (BLOCKS.has(tag)) flush();
      },
      ontext(text) {
        if (skipping === 0 && !full && current.length < maxBytes) current += text;
      },
      onclosetag(tag) {
        if (skipStack.pop()) skipping = Math.max(0, skipping - 1);
        else if (BLOCKS.has(tag)) flush();
      },
    },
    { decodeEntities: true },
  );
  parser.end(html);
  flush();
  return capHtml(sanitizeBody(paragraphs.join('\n'), pageUrl), maxBytes, pageUrl);
}
