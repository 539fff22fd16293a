import {
  BOILERPLATE_CASES,
  BYLINE_CASES,
  CORPUS_PAGE_URL,
  articleParagraphs,
  boilerplatePage,
  bylinePage,
} from './__corpus__/extraction-corpus';
import { isBoilerplateElement, isBoilerplateText } from './boilerplate';
import { bylineNames, MAX_AUTHORS } from './byline';
import { extractMetadata } from './metadata-extractor';
import { extractPageInline } from './page-extraction';
import { plainTextBody } from './plain-text-body';
import { extractReadableArticle, paragraphsOf } from './readable-body';

const BUDGET = { maxDepth: 100, maxElements: 10_000, bodyMaxBytes: 200 * 1024 };

/** As enrichment does: declared and byline authors, else the readable body's byline. */
function authorsOf(html: string): string[] {
  const { metadata, body } = extractPageInline(html, CORPUS_PAGE_URL, {
    body: true,
    budget: BUDGET,
  });
  return metadata.authors.length > 0 ? metadata.authors : (body?.bylineAuthors ?? []);
}

describe('byline corpus: the authors of a page', () => {
  it.each(BYLINE_CASES)('$name', (testCase) => {
    expect(authorsOf(bylinePage(testCase))).toEqual(testCase.authors);
  });
});

describe('bylineNames', () => {
  it.each([
    ['By Jane Doe | August 31, 2021 10:44 AM EDT', ['Jane Doe']],
    ['BY Jane Doe', ['Jane Doe']],
    ['Jane Doe, John Roe, and Li Wei', ['Jane Doe', 'John Roe', 'Li Wei']],
    ['Author: Jane Doe • Published 31 August 2021', ['Jane Doe']],
    ['By Jane Doe — Updated: 2 hours ago', ['Jane Doe']],
    ['José Ortega y Gasset', ['José Ortega y Gasset']],
    ['Madonna', ['Madonna']],
    ['', []],
    ['by the editorial team', []],
    ['https://example.org/people/jane', []],
    ['Follow us on Twitter', []],
  ])('%j → %j', (byline, names) => {
    expect(bylineNames(byline)).toEqual(names);
  });

  it(`keeps at most ${MAX_AUTHORS} names from a byline of hundreds`, () => {
    const many = Array.from(
      { length: 300 },
      (_, index) =>
        `Person ${String.fromCharCode(65 + (index % 26))}${index.toString(36).replace(/\d/g, 'x')}`,
    );
    expect(bylineNames(`By ${many.join(', ')}`).length).toBeLessThanOrEqual(MAX_AUTHORS);
  });
});

describe('boilerplate corpus: the readable body of a page', () => {
  it.each(BOILERPLATE_CASES)('$name', (testCase) => {
    const article = extractReadableArticle(boilerplatePage(testCase), CORPUS_PAGE_URL, 200 * 1024);
    const text = paragraphsOf(article.html).join('\n');
    for (const kept of testCase.keep) expect(text).toContain(kept);
    for (const dropped of testCase.drop) expect(text).not.toContain(dropped);
  });

  it('keeps a furniture-named wrapper that holds the article as text without paragraphs', () => {
    const body = `<div class="content share-enabled"><h1>Digital guidance</h1><div>${'The framework sets out what good looks like for digital services in every trust. '.repeat(12)}</div><div>${'Trusts will assess themselves against the framework over the coming year. '.repeat(12)}</div></div>`;
    const article = extractReadableArticle(
      `<html><body>${body}</body></html>`,
      CORPUS_PAGE_URL,
      200 * 1024,
    );
    expect(paragraphsOf(article.html).join(' ')).toContain('what good looks like');
  });

  it('the plain-text body of an over-budget page leaves consent boxes and dialogs out too', () => {
    const html = boilerplatePage(BOILERPLATE_CASES[0]) + boilerplatePage(BOILERPLATE_CASES[3]);
    const text = paragraphsOf(plainTextBody(html, CORPUS_PAGE_URL, 200 * 1024)).join('\n');
    expect(text).toContain('NHSX has published new digital guidelines');
    expect(text).not.toContain('We use cookies');
    expect(text).not.toContain('Your privacy matters');
  });
});

describe('boilerplate rules', () => {
  it.each([
    ['div', { id: 'onetrust-banner-sdk' }, true],
    ['div', { class: 'cookieConsent' }, true],
    ['section', { 'aria-label': 'Share this article' }, true],
    ['div', { role: 'dialog' }, true],
    ['div', { 'aria-modal': 'true' }, true],
    ['div', { class: 'js-newsletter-signup' }, true],
    ['div', { class: 'follow-us' }, true],
    ['body', { class: 'has-cookie-banner' }, false],
    ['article', { class: 'share-enabled' }, false],
    ['a', { class: 'related-link' }, false],
    ['div', { class: 'header-image loaded' }, false],
    ['div', { class: 'article-body' }, false],
  ])('<%s %j> is furniture: %s', (tag, attributes, expected) => {
    expect(isBoilerplateElement(tag, attributes)).toBe(expected);
  });

  it('reads only overlays and consent boxes when asked for consent-only', () => {
    expect(isBoilerplateElement('div', { class: 'cookie-notice' }, 'consent-only')).toBe(true);
    expect(isBoilerplateElement('div', { role: 'dialog' }, 'consent-only')).toBe(true);
    expect(isBoilerplateElement('div', { class: 'share-bar' }, 'consent-only')).toBe(false);
  });

  it('takes short cookie and newsletter texts for furniture, not long article text', () => {
    expect(isBoilerplateText('We use cookies to give you the best experience. Accept')).toBe(true);
    expect(isBoilerplateText('Sign up for our daily newsletter')).toBe(true);
    expect(isBoilerplateText(`we use cookies ${'and then the article goes on '.repeat(30)}`)).toBe(
      false,
    );
  });
});

describe('bounded work on hostile pages', () => {
  it('reads a page of 200 bylines and 200 rel=author links without keeping them all', () => {
    const bylines = Array.from(
      { length: 200 },
      (_, index) =>
        `<div class="byline">By Writer Number${String.fromCharCode(65 + (index % 26))} | Aug ${1 + (index % 28)}, 2021</div><a rel="author" href="/p/${index}">Linked Person${String.fromCharCode(65 + (index % 26))}x${index}</a>`,
    ).join('\n');
    const metadata = extractMetadata(
      `<html><head></head><body>${bylines}${articleParagraphs()}</body></html>`,
      CORPUS_PAGE_URL,
    );
    expect(metadata.authors.length).toBeGreaterThan(0);
    expect(metadata.authors.length).toBeLessThanOrEqual(MAX_AUTHORS);
  });

  it('keeps at most a handful of JSON-LD authors and images, and skips a 1 MB block', () => {
    const authors = Array.from({ length: 5000 }, (_, index) => ({
      '@type': 'Person',
      name: `Author ${index}`,
    }));
    const images = Array.from(
      { length: 5000 },
      (_, index) => `https://cdn.example.org/${index}.jpg`,
    );
    const crowded = JSON.stringify({
      '@type': 'NewsArticle',
      headline: 'Crowded',
      author: authors,
      image: images,
    });
    const crowdedMeta = extractMetadata(
      `<html><head><script type="application/ld+json">${crowded}</script></head><body></body></html>`,
      CORPUS_PAGE_URL,
    );
    expect(crowdedMeta.authors.length).toBeLessThanOrEqual(MAX_AUTHORS);
    expect(crowdedMeta.imageCandidates.length).toBeLessThanOrEqual(10);

    const huge = JSON.stringify({
      '@type': 'NewsArticle',
      headline: 'Huge',
      description: 'x'.repeat(1024 * 1024),
    });
    const hugeMeta = extractMetadata(
      `<html><head><script type="application/ld+json">${huge}</script><meta name="author" content="Jane Doe"></head><body></body></html>`,
      CORPUS_PAGE_URL,
    );
    expect(hugeMeta.jsonLd).toBeUndefined();
    expect(hugeMeta.authors).toEqual(['Jane Doe']);
  });

  it('reads at most 20 JSON-LD blocks', () => {
    const blocks = Array.from(
      { length: 50 },
      (_, index) =>
        `<script type="application/ld+json">{"@type":"WebPage","name":"${index}"}</script>`,
    ).join('');
    const article =
      '<script type="application/ld+json">{"@type":"NewsArticle","headline":"Late","author":"Jane Doe"}</script>';
    const metadata = extractMetadata(
      `<html><head>${blocks}${article}</head><body></body></html>`,
      CORPUS_PAGE_URL,
    );
    expect(metadata.jsonLd).toBeUndefined();
  });
});
