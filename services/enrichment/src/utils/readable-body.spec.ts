import { expectInertMarkdown, HOSTILE_BODIES } from '@curation/testing';
import {
  capHtml,
  extractReadableArticle,
  paragraphsOf,
  sanitizeBody,
  summarise,
} from './readable-body';

const BASE = 'https://news.example/a/b';

describe('sanitizeBody', () => {
  it('removes scripts, handlers, styles, iframes and javascript: links, and resolves relative links', () => {
    const html = sanitizeBody(
      '<p style="color:red" onclick="x()">Hi <a href="javascript:alert(1)">bad</a> <a href="/ok" target="_blank">ok</a></p>' +
        '<script>alert(1)</script><iframe src="https://evil.example"></iframe><style>p{}</style>' +
        '<img src=x onerror=alert(1)><h1>Head</h1><p><a href="//cdn.example/x">proto</a></p>',
      BASE,
    );
    expect(html).toBe(
      '<p>Hi <a>bad</a> <a href="https://news.example/ok">ok</a></p><h2>Head</h2><p><a href="https://cdn.example/x">proto</a></p>',
    );
  });
});

describe('summarise', () => {
  it('joins paragraphs with a space and cuts at a word boundary near 200 characters', () => {
    const html =
      '<p>NHSX has published new digital guidelines for NHS leaders and organisations.</p>' +
      '<p>The ‘What Good Looks Like’ framework aims to give NHS managers clear instructions on using digital in their service.</p>' +
      '<p>It calls for patients to be able to digitally access their care plans.</p>';
    const description = summarise(html);
    expect(description).toBe(
      'NHSX has published new digital guidelines for NHS leaders and organisations. The ‘What Good Looks Like’ framework aims to give NHS managers clear instructions on using digital in their service. It',
    );
    expect(description.length).toBeLessThanOrEqual(200);
  });

  it('returns short text whole and decodes entities', () => {
    expect(summarise('<p>Tom &amp; Jerry&nbsp;&nbsp;</p>')).toBe('Tom & Jerry');
    expect(paragraphsOf('<ul><li>a</li><li>b</li></ul>')).toEqual(['a', 'b']);
  });
});

describe('capHtml', () => {
  it('keeps whole paragraphs under the byte cap', () => {
    const html = Array.from(
      { length: 100 },
      (_, index) => `<p>paragraph ${index} ${'x'.repeat(80)}</p>`,
    ).join('');
    const capped = capHtml(html, 1000, BASE);
    expect(Buffer.byteLength(capped)).toBeLessThanOrEqual(1000);
    expect(capped.endsWith('</p>')).toBe(true);
    expect(capped.startsWith('<p>paragraph 0 ')).toBe(true);
  });
});

describe('extractReadableArticle', () => {
  it('returns the article paragraphs without navigation and the byline', () => {
    const paragraphs = Array.from(
      { length: 5 },
      (_, index) =>
        `<p>Paragraph ${index} of the story, long enough to count as readable prose for the extractor.</p>`,
    ).join('');
    const article = extractReadableArticle(
      `<html><body><nav><a href="/">Home</a></nav><article><h1>T</h1><p class="byline">By Ann Lee</p>${paragraphs}<script>x()</script></article><footer>foot</footer></body></html>`,
      BASE,
      200_000,
    );
    expect(article.html).toContain('<p>Paragraph 0 of the story');
    expect(article.html).not.toContain('script');
    expect(article.html).not.toContain('Home');
    // The byline's name alone, without its "By".
    expect(article.byline).toBe('Ann Lee');
    expect(article.bylineAuthors).toEqual(['Ann Lee']);
  });

  it('returns empty text for a page without an article', () => {
    expect(extractReadableArticle('<html><body></body></html>', BASE, 1000).html).toBe('');
  });
});

describe('hostile Markdown corpus: the readable body enrichment publishes', () => {
  it.each(HOSTILE_BODIES)('$name: sanitised body renders inert', (hostile) => {
    const body = sanitizeBody(hostile.html, BASE);
    expectInertMarkdown(body, body, hostile.visibleText);
  });

  it('a page holding every hostile body: the extracted article renders inert', () => {
    const story = `<p>${'A paragraph of the story, long enough to count as readable prose. '.repeat(4)}</p>`;
    const hostile = HOSTILE_BODIES.map((entry) => `<p>${entry.html}</p>`).join('\n\n');
    const { html } = extractReadableArticle(
      `<html><body><article><h1>T</h1>${story}\n\n${hostile}\n\n${story}</article></body></html>`,
      BASE,
      200_000,
    );
    expect(html).toContain('A paragraph of the story');
    expect(html).toContain('&#91;Read more&#93;(javascript:alert(1))');
    expectInertMarkdown(html, html);
  });
});
