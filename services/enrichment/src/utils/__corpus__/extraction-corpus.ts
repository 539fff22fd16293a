/**
 * The byline and boilerplate corpus: page fragments as news sites print them, with what a
 * reader would call the author(s) and what of the page is article text. The unit tests hold
 * the extractor to it; `bench/extraction.bench.ts` scores ours and metascraper on it.
 */

export interface BylineCase {
  name: string;
  /** Markup inside `<body>`, before the article's paragraphs. */
  byline: string;
  /** More `<head>` markup, e.g. JSON-LD. */
  head?: string;
  authors: string[];
}

export interface BoilerplateCase {
  name: string;
  /** The whole `<body>`. */
  body: string;
  /** Article text that must be in the readable body. */
  keep: string[];
  /** Furniture text that must not be. */
  drop: string[];
}

export const CORPUS_PAGE_URL = 'https://news.example.org/2021/08/31/digital-guidance';

const ARTICLE_PARAGRAPHS = [
  'NHSX has published new digital guidelines for NHS leaders and organisations across England, setting out what good looks like for digital services in every trust.',
  'The framework aims to give managers clear instructions on using digital in their service, from electronic patient records to remote monitoring and shared care records.',
  'Trusts will be asked to assess themselves against the framework over the coming year, and the results will shape how national funding for digital projects is allocated.',
  'Clinicians welcomed the guidance but warned that staff time for training remains the hardest resource to find, especially in community and mental health services.',
];

export function articleParagraphs(): string {
  return ARTICLE_PARAGRAPHS.map((text) => `<p>${text}</p>`).join('\n');
}

export const ARTICLE_TEXT = ARTICLE_PARAGRAPHS;

/** A whole page around a byline: no author meta, so the byline is what names the author. */
export function bylinePage(testCase: BylineCase): string {
  return (
    `<!DOCTYPE html><html lang="en"><head><title>Digital guidance for NHS trusts</title>${testCase.head ?? ''}</head>` +
    `<body><main><article><h1>Digital guidance for NHS trusts</h1>${testCase.byline}\n${articleParagraphs()}` +
    `</article></main></body></html>`
  );
}

export function boilerplatePage(testCase: BoilerplateCase): string {
  return `<!DOCTYPE html><html lang="en"><head><title>Digital guidance for NHS trusts</title></head><body>${testCase.body}</body></html>`;
}

export const BYLINE_CASES: BylineCase[] = [
  {
    name: 'name, date and time with separators',
    byline: '<div class="byline">By Jane Doe | August 31, 2021 10:44 AM EDT</div>',
    authors: ['Jane Doe'],
  },
  {
    name: 'two rel=author links and a reading time',
    byline:
      '<p class="byline">By <a rel="author" href="/people/jane-doe">Jane Doe</a> and <a rel="author" href="/people/john-roe">John Roe</a> · 5 min read</p>',
    authors: ['Jane Doe', 'John Roe'],
  },
  {
    name: 'job title after a comma',
    byline: '<span class="author">Written by Amara Okafor, Senior Editor</span>',
    authors: ['Amara Okafor'],
  },
  {
    name: 'three names: "A, B and C", with a particle',
    byline: '<div class="article-byline">By Li Wei, Sofia Marquez and Pieter de Vries</div>',
    authors: ['Li Wei', 'Sofia Marquez', 'Pieter de Vries'],
  },
  {
    name: 'name and a <time> element',
    byline:
      '<div class="byline"><span>By Jonah Weiss</span><time datetime="2021-08-31">Aug. 31, 2021</time></div>',
    authors: ['Jonah Weiss'],
  },
  {
    name: '"Posted by ... on <weekday>, <date> at <time>"',
    byline:
      '<div class="post-author">Posted by Radhika Narayanan on Tuesday, August 31, 2021 at 10:44 am</div>',
    authors: ['Radhika Narayanan'],
  },
  {
    name: 'rel=author link text starting with "By"',
    byline: '<p class="credit"><a rel="author" href="/people/jane-doe">By Jane Doe</a></p>',
    authors: ['Jane Doe'],
  },
  {
    name: 'two names joined by an ampersand',
    byline: '<div class="byline">Jane Doe &amp; John Roe</div>',
    authors: ['Jane Doe', 'John Roe'],
  },
  {
    name: 'job title on its own line',
    byline: '<div class="byline">By Jane Doe<br>Staff Writer</div>',
    authors: ['Jane Doe'],
  },
  {
    name: 'agency after the name',
    byline: '<div class="byline">By Jane Doe, Reuters</div>',
    authors: ['Jane Doe'],
  },
  {
    name: 'relative date in its own element',
    byline:
      '<div class="byline"><span class="byline__author">Sofia Marquez</span> <span class="byline__date">3 hours ago</span></div>',
    authors: ['Sofia Marquez'],
  },
  {
    name: 'place after the names',
    byline: '<p class="author-line">By Jane Doe and John Roe in London</p>',
    authors: ['Jane Doe', 'John Roe'],
  },
  {
    name: 'microdata author inside a byline with an update time',
    byline:
      '<div class="byline">By <span itemprop="author">Jane Doe</span> | Updated Aug 31, 2021</div>',
    authors: ['Jane Doe'],
  },
  {
    name: 'numeric date beside the author',
    byline:
      '<div class="meta"><span class="author">By Li Wei</span> <span class="date">08/31/2021</span></div>',
    authors: ['Li Wei'],
  },
  {
    name: 'a byline holding only a date',
    byline: '<div class="byline">August 31, 2021</div>',
    authors: [],
  },
  {
    name: 'honorific kept with the name',
    byline: '<div class="byline">By Dr. Jane Doe</div>',
    authors: ['Dr. Jane Doe'],
  },
  {
    name: 'rel=author link followed by a job title',
    byline:
      '<address class="author">By <a rel="author" href="/p/1">Amara Okafor</a>, Contributing Writer</address>',
    authors: ['Amara Okafor'],
  },
  {
    name: 'slashes between name, date and reading time',
    byline: '<div class="byline">Jane Doe / Aug 31 2021 / 4 min read</div>',
    authors: ['Jane Doe'],
  },
  {
    name: 'apostrophes and hyphens in names',
    byline: '<div class="byline">By Jean-Luc O\'Brien and Mary McDonald-Smith</div>',
    authors: ["Jean-Luc O'Brien", 'Mary McDonald-Smith'],
  },
  {
    name: 'name, dash and a time',
    byline: '<div class="byline">By Jane Doe - 10:44 AM</div>',
    authors: ['Jane Doe'],
  },
  {
    name: 'reporting and editing credits',
    byline: '<p class="byline">Reporting by Jane Doe; Editing by John Roe</p>',
    authors: ['Jane Doe', 'John Roe'],
  },
  {
    name: 'ISO timestamp printed beside the name',
    byline: '<div class="byline">Renée Dupré 2021-08-31T10:44:14-04:00</div>',
    authors: ['Renée Dupré'],
  },
  {
    name: 'a name that is also a month and a weekday word',
    byline: '<div class="byline">By May Lee and Sun Li | Sun, Aug 1, 2021</div>',
    authors: ['May Lee', 'Sun Li'],
  },
  {
    name: 'JSON-LD authors win over the visible byline',
    head: '<script type="application/ld+json">{"@type":"NewsArticle","headline":"Digital guidance","author":[{"@type":"Person","name":"Amara Okafor"},{"@type":"Person","name":"Li Wei"}]}</script>',
    byline: '<div class="byline">By The Newsroom | Aug 31, 2021</div>',
    authors: ['Amara Okafor', 'Li Wei'],
  },
  {
    name: 'author meta wins over the visible byline',
    head: '<meta name="author" content="Jonah Weiss">',
    byline: '<div class="byline">By J. Weiss, 31 August 2021</div>',
    authors: ['Jonah Weiss'],
  },
];

export const BOILERPLATE_CASES: BoilerplateCase[] = [
  {
    name: 'cookie banner with an id and class',
    body: `<div id="cookie-banner" class="consent-bar"><p>We use cookies to improve your experience on our site. <a href="/cookies">Accept all cookies</a></p></div>
      <main><article><h1>Digital guidance</h1>${articleParagraphs()}</article></main>`,
    keep: ARTICLE_PARAGRAPHS,
    drop: ['We use cookies', 'Accept all cookies'],
  },
  {
    name: 'newsletter box inside the article',
    body: `<main><article><h1>Digital guidance</h1>${ARTICLE_PARAGRAPHS.slice(0, 2)
      .map((text) => `<p>${text}</p>`)
      .join('')}
      <aside class="newsletter-signup"><h3>Get our daily newsletter</h3><p>Sign up for our newsletter and get the day's health technology news in your inbox every morning.</p><form><input type="email" placeholder="Your email"><button>Subscribe</button></form></aside>
      ${ARTICLE_PARAGRAPHS.slice(2)
        .map((text) => `<p>${text}</p>`)
        .join('')}</article></main>`,
    keep: ARTICLE_PARAGRAPHS,
    drop: ['daily newsletter', 'Sign up for our newsletter'],
  },
  {
    name: 'share bar between the headline and the text',
    body: `<main><article><h1>Digital guidance</h1>
      <div class="share-bar"><p><a href="https://facebook.com/sharer">Share on Facebook</a> <a href="https://twitter.com/intent">Share on Twitter</a> <a href="mailto:?body=x">Email this article to a friend</a></p></div>
      ${articleParagraphs()}</article></main>`,
    keep: ARTICLE_PARAGRAPHS,
    drop: ['Share on Facebook', 'Email this article'],
  },
  {
    name: 'consent dialog marked only by its role',
    body: `<div role="dialog" aria-label="Your privacy"><p>Your privacy matters to us. We and our partners store and access information on your device to personalise content and measure audiences.</p><p><button>Agree</button> <button>Manage preferences</button></p></div>
      <main><article><h1>Digital guidance</h1>${articleParagraphs()}</article></main>`,
    keep: ARTICLE_PARAGRAPHS,
    drop: ['Your privacy matters', 'partners store and access'],
  },
  {
    name: 'cookie notice without any class, found by its words',
    body: `<main><article><h1>Digital guidance</h1>${articleParagraphs()}</article></main>
      <div><p>This website uses cookies. By continuing to browse you agree to our cookie policy and the use of analytics on this site.</p></div>`,
    keep: ARTICLE_PARAGRAPHS,
    drop: ['This website uses cookies'],
  },
  {
    name: 'related articles list after the text',
    body: `<main><article><h1>Digital guidance</h1>${articleParagraphs()}
      <div class="related-articles"><h3>Related stories</h3><p>These stories from our archive cover the national digital health programme in more depth, from shared records to remote monitoring pilots.</p><ul><li><a href="/a">Trusts sign up to shared records programme across the region</a></li><li><a href="/b">Remote monitoring pilot extended to three more regions this year</a></li></ul></div>
      </article></main>`,
    keep: ARTICLE_PARAGRAPHS,
    drop: ['Related stories', 'Remote monitoring pilot extended'],
  },
  {
    name: 'newsletter call to action between paragraphs, in a "content" class',
    body: `<main><article><h1>Digital guidance</h1>${ARTICLE_PARAGRAPHS.slice(0, 2)
      .map((text) => `<p>${text}</p>`)
      .join('')}
      <div class="newsletter-content"><p>Want more stories like this? Sign up for our free daily newsletter for the latest health technology news, delivered every weekday morning.</p></div>
      ${ARTICLE_PARAGRAPHS.slice(2)
        .map((text) => `<p>${text}</p>`)
        .join('')}</article></main>`,
    keep: ARTICLE_PARAGRAPHS,
    drop: ['Want more stories like this', 'free daily newsletter'],
  },
  {
    name: 'cookie notice in the same wrapper as the article',
    body: `<div id="page-content"><div class="cookie-notice-content"><p>We use cookies on this site to enhance your user experience. By clicking any link on this page you are giving your consent for us to set cookies.</p></div>
      <h1>Digital guidance</h1>${articleParagraphs()}</div>`,
    keep: ARTICLE_PARAGRAPHS,
    drop: ['We use cookies on this site'],
  },
  {
    name: 'share prompt in words, not links',
    body: `<main><article><h1>Digital guidance</h1>${articleParagraphs()}
      <div class="share-tools"><p>Share this article with your colleagues on LinkedIn, X and Facebook, or send it to them by email from the menu above.</p></div></article></main>`,
    keep: ARTICLE_PARAGRAPHS,
    drop: ['Share this article with your colleagues'],
  },
  {
    name: 'article wrapper whose class mentions sharing: kept whole',
    body: `<main><div class="entry-content social-share-enabled"><h1>Digital guidance</h1>${articleParagraphs()}</div></main>`,
    keep: ARTICLE_PARAGRAPHS,
    drop: [],
  },
  {
    name: 'article paragraph about cookies: kept',
    body: `<main><article><h1>Digital guidance</h1>${articleParagraphs()}<p>The regulator also reminded trusts that a website which says "we use cookies" must still ask before setting any analytics cookie, and that consent banners must make refusing as easy as accepting. Several trusts were found to load tracking scripts before asking, which the guidance says must stop by the end of the year, with audits planned for every trust that runs a public website or a patient portal, and with the findings to be published alongside the next round of digital maturity assessments.</p></article></main>`,
    keep: [...ARTICLE_PARAGRAPHS, 'must still ask before setting any analytics cookie'],
    drop: [],
  },
];
