import {
  articleKeyOf,
  isSameSite,
  normaliseArticleUrl,
  registrableDomain,
} from './article-key.util';

describe('registrable domain rule', () => {
  it.each([
    ['https://news.bbc.co.uk/a', 'bbc.co.uk'],
    ['https://www.healthcareitnews.com/news/x', 'healthcareitnews.com'],
    ['https://WWW.Example.COM/', 'example.com'],
    ['https://someone.github.io/post', 'someone.github.io'],
    ['http://127.0.0.1:8080/news', '127.0.0.1'],
    ['http://localhost/x', 'localhost'],
  ])('%s is on %s', (url, domain) => {
    expect(registrableDomain(url)).toBe(domain);
  });

  it('is undefined for what is not a URL', () => {
    expect(registrableDomain('not a url')).toBeUndefined();
    expect(isSameSite('not a url', 'not a url')).toBe(false);
  });

  it.each([
    ['https://amp.example.com/a', 'https://www.example.com/a', true],
    ['https://example.co.uk/a', 'https://other.co.uk/a', false],
    ['https://alice.github.io/a', 'https://bob.github.io/a', false],
    ['https://example.com/a', 'https://example.com.evil.net/a', false],
    ['http://127.0.0.1:1/a', 'http://127.0.0.1:2/b', true],
  ])('%s and %s on one site: %s', (url, other, same) => {
    expect(isSameSite(url, other)).toBe(same);
  });
});

describe('article key', () => {
  const submittedUrl = 'https://www.example.com/news/story?utm_source=x';

  it('is the canonical URL when the page names one on the same site', () => {
    expect(
      articleKeyOf({
        submittedUrl,
        finalUrl: submittedUrl,
        canonicalUrl: 'https://example.com/news/story/',
      }),
    ).toBe('example.com/news/story');
  });

  it('ignores a canonical URL on another site (syndication, or a page claiming someone else’s article)', () => {
    expect(
      articleKeyOf({
        submittedUrl,
        finalUrl: 'https://www.example.com/news/story',
        canonicalUrl: 'https://victim.org/their-story',
      }),
    ).toBe('example.com/news/story');
  });

  it('falls back to the fetched URL without a canonical URL', () => {
    expect(articleKeyOf({ submittedUrl, finalUrl: 'https://example.com/moved#top' })).toBe(
      'example.com/moved',
    );
  });

  it('spells one article one way: scheme, www, fragment, trailing slash and parameter order', () => {
    expect(normaliseArticleUrl('http://www.Example.com/a/?b=2&a=1#x')).toBe(
      normaliseArticleUrl('https://example.com/a?a=1&b=2'),
    );
    expect(normaliseArticleUrl('https://example.com/a?id=1')).not.toBe(
      normaliseArticleUrl('https://example.com/a?id=2'),
    );
  });
});
