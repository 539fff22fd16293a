import { extractPageBody, extractPageInline, type ExtractionBudget } from './page-extraction';

const PAGE_URL = 'https://news.example/story';
const BUDGET: ExtractionBudget = { maxDepth: 100, maxElements: 10_000, bodyMaxBytes: 200 * 1024 };
const HEAD =
  '<head><title>Hostile page</title><meta property="og:title" content="Still titled"></head>';

/** ~90 KB: the depth that kept Readability busy for ~44 s. */
const deepDivs = (depth: number) =>
  `<html>${HEAD}<body>${'<div>'.repeat(depth)}<p>Text at the bottom of the well.</p>${'</div>'.repeat(depth)}</body></html>`;
/** ~3 MB: wide rather than deep, ~40 s on linkedom. */
const siblings = (count: number) =>
  `<html>${HEAD}<body>${Array.from(
    { length: count },
    (_, index) =>
      `<div class="block"><span>Sibling block ${index}</span> with a sentence of ordinary words in it for the reader.</div>`,
  ).join('')}</body></html>`;
const nestedTables = (depth: number) =>
  `<html>${HEAD}<body>${'<table><tr><td>'.repeat(depth)}Innermost cell text.${'</td></tr></table>'.repeat(depth)}</body></html>`;
const article = (paragraphs: number) =>
  `<html>${HEAD}<body><nav><a href="/">Home</a></nav><article><h1>Story</h1>${Array.from(
    { length: paragraphs },
    (_, index) =>
      `<p>Paragraph ${index} of the story, long enough to count as readable prose for the extractor.</p>`,
  ).join('')}</article><footer>Footer links</footer></body></html>`;

describe('page extraction budget', () => {
  it('reads an ordinary article with Readability and measures its shape', () => {
    const { metadata, body } = extractPageInline(article(6), PAGE_URL, {
      body: true,
      budget: BUDGET,
    });
    expect(metadata.shape.depth).toBeLessThan(10);
    expect(metadata.shape.elements).toBeGreaterThan(6);
    expect(body).toMatchObject({ method: 'readability' });
    expect(body?.html).toContain('<p>Paragraph 0 of the story');
    expect(body?.html).not.toContain('Home');
  });

  it.each([
    ['8,500 nested <div>s', () => deepDivs(8_500), 'depth', 'Text at the bottom of the well.'],
    ['1,500 nested tables', () => nestedTables(1_500), 'depth', 'Innermost cell text.'],
    [
      '40,000 sibling blocks',
      () => siblings(40_000),
      'elements',
      'Sibling block 0 with a sentence',
    ],
  ] as const)(
    'falls back to the bounded plain text for %s, keeping the metadata',
    (_name, page, reason, text) => {
      const html = page();
      const { metadata, body } = extractPageInline(html, PAGE_URL, { body: true, budget: BUDGET });
      expect(metadata.title).toBe('Hostile page');
      expect(metadata.openGraphMetaData.ogtitle).toBe('Still titled');
      expect(body).toMatchObject({ method: 'plain-text', overBudget: reason });
      expect(body?.html).toContain(text);
      expect(Buffer.byteLength(body?.html ?? '')).toBeLessThanOrEqual(BUDGET.bodyMaxBytes);
    },
    60_000,
  );

  it('measures depth and width in the metadata pass', () => {
    const deep = extractPageInline(deepDivs(8_500), PAGE_URL, { body: false, budget: BUDGET });
    expect(deep.metadata.shape.depth).toBeGreaterThanOrEqual(8_500);
    expect(deep.body).toBeUndefined();
    const wide = extractPageInline(siblings(40_000), PAGE_URL, { body: false, budget: BUDGET });
    expect(wide.metadata.shape.depth).toBeLessThan(10);
    expect(wide.metadata.shape.elements).toBeGreaterThanOrEqual(80_000);
  });

  it('does not count void elements or self-closed SVG children as depth', () => {
    const icons = '<svg><path d="M0"/><path d="M1"/><circle r="1"/></svg>'.repeat(200);
    const html = `<html>${HEAD}<body>${'<br><img src="/a.png"><input>'.repeat(300)}${icons}</body></html>`;
    const { metadata } = extractPageInline(html, PAGE_URL, { body: false, budget: BUDGET });
    expect(metadata.shape.depth).toBeLessThan(10);
  });

  it('uses Readability right up to the budget', () => {
    const html = deepDivs(90);
    const { body } = extractPageInline(html, PAGE_URL, { body: true, budget: BUDGET });
    expect(body?.method).toBe('readability');
  });

  it("still falls back when Readability's own element count exceeds the budget", () => {
    const body = extractPageBody({
      html: article(40),
      pageUrl: PAGE_URL,
      shape: { elements: 10, depth: 5 },
      budget: { ...BUDGET, maxElements: 20 },
    });
    expect(body).toMatchObject({ method: 'plain-text', overBudget: 'elements' });
    expect(body.html).toContain('<p>Paragraph 39 of the story');
  });

  it('cuts the plain text at a paragraph within the byte budget', () => {
    const body = extractPageBody({
      html: siblings(5_000),
      pageUrl: PAGE_URL,
      shape: { elements: 10_001, depth: 4 },
      budget: { ...BUDGET, bodyMaxBytes: 4096 },
    });
    expect(Buffer.byteLength(body.html)).toBeLessThanOrEqual(4096);
    expect(body.html.endsWith('</p>')).toBe(true);
    expect(body.html).not.toContain('Sibling block 4999');
  });
});
