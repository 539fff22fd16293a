import { load } from 'js-yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { extractMetadata, metaKey, pageTitle } from './metadata-extractor';

const PAGE_URL =
  'https://www.healthcareitnews.com/news/emea/nhsx-sets-out-digital-guidance-nhs-trusts';
const IMAGE =
  'https://www.healthcareitnews.com/sites/hitn/files/Resized%20-%20GettyImages-1002020774%20%281%29_0.jpg';

function page(head: string, body = ''): string {
  return `<!doctype html><html><head>${head}</head><body>${body}</body></html>`;
}

describe('extractMetadata', () => {
  describe('on a page like the reference document', () => {
    const html = readFileSync(join(__dirname, '__fixtures__', 'healthcareitnews.html'), 'utf8');
    const meta = extractMetadata(html, PAGE_URL);

    it('reproduces the reference htmlMetaData, with the listed keys as null', () => {
      expect(meta.htmlMetaData).toMatchObject({
        author: null,
        description: 'The new framework calls for new ways of delivering care.',
        generator: 'Drupal 7 (http://drupal.org)',
        viewport: 'width=device-width, initial-scale=1.0',
        articlemodified_time: '2021-08-31T10:44:37-04:00',
        articlepublished_time: '2021-08-31T10:44:14-04:00',
        'msvalidate.01': 'E23E222F362070D7E155C1DCE851E7E9',
        ogimage: IMAGE,
        ogsite_name: 'Healthcare IT News',
        ogtitle: 'NHSX sets out digital guidance for NHS trusts',
        ogtype: 'article',
        ogurl: PAGE_URL,
        'yandex-verification': '4b898aad0783a623',
        robots: null,
        fbapp_id: null,
        oglocale: null,
        fbadmins: null,
        articlepublisher: null,
        'google-site-verification': null,
        keywords: null,
      });
    });

    it('reproduces the Open Graph and Twitter subsets', () => {
      expect(meta.openGraphMetaData).toEqual({
        ogdescription: 'The new framework calls for new ways of delivering care.',
        ogimage: IMAGE,
        ogsite_name: 'Healthcare IT News',
        ogtitle: 'NHSX sets out digital guidance for NHS trusts',
        ogtype: 'article',
        ogupdated_time: '2021-08-31T10:44:37-04:00',
        ogurl: PAGE_URL,
        ogimageheight: null,
      });
      expect(meta.twitterMetaData).toEqual({
        twittercard: 'summary_large_image',
        twitterdescription: 'The new framework calls for new ways of delivering care.',
        twittertitle: 'NHSX sets out digital guidance for NHS trusts',
        twitterimage: IMAGE,
        twitterurl: PAGE_URL,
      });
    });

    it('finds title, canonical URL, JSON-LD author, dates and the image', () => {
      expect(meta.title).toBe('NHSX sets out digital guidance for NHS trusts | Healthcare IT News');
      expect(meta.canonicalUrl).toBe(PAGE_URL);
      expect(meta.authors).toEqual(['Radhika Narayanan']);
      expect(meta.publishedAt).toBe('2021-08-31T14:44:14.000Z');
      expect(meta.modifiedAt).toBe('2021-08-31T14:44:37.000Z');
      expect(meta.imageCandidates).toEqual([{ url: IMAGE, source: 'og:image' }]);
      expect(meta.jsonLd).toMatchObject({ type: 'newsarticle', publisher: 'Healthcare IT News' });
    });
  });

  it('applies the key rule: colons removed, names case-insensitive, first occurrence wins, trimmed, entities decoded, http-equiv left out', () => {
    expect(metaKey('og:site_name')).toBe('ogsite_name');
    const meta = extractMetadata(
      page(
        '<meta property="OG:Title" content="  First &amp; best  "><meta property="og:title" content="second">' +
          '<meta name="Description" content="caf&eacute; &#8212; ok"><meta http-equiv="X-UA-Compatible" content="IE=edge">',
      ),
      PAGE_URL,
    );
    expect(meta.htmlMetaData.ogtitle).toBe('First & best');
    expect(meta.openGraphMetaData.ogtitle).toBe('First & best');
    expect(meta.htmlMetaData.description).toBe('café — ok');
    expect(meta.htmlMetaData['x-ua-compatible']).toBeUndefined();
  });

  it('resolves relative and protocol-relative URLs against the final page URL', () => {
    const meta = extractMetadata(
      page(
        '<meta property="og:image" content="/img/a.jpg"><meta name="twitter:image" content="//cdn.example.org/b.png">' +
          '<link rel="canonical" href="../canonical">',
      ),
      'https://site.example/news/2024/story',
    );
    expect(meta.imageCandidates).toEqual([
      { url: 'https://site.example/img/a.jpg', source: 'og:image' },
      { url: 'https://cdn.example.org/b.png', source: 'twitter:image' },
    ]);
    expect(meta.canonicalUrl).toBe('https://site.example/news/canonical');
  });

  it('keeps hostile meta content as inert text and drops non-http image URLs', () => {
    const meta = extractMetadata(
      page(
        '<meta name="description" content="<script>alert(1)</script>">' +
          '<meta name="keywords" content="--- !!js/function &quot;function(){}&quot;\nkey: [a, b]">' +
          '<meta property="og:image" content="javascript:alert(1)">' +
          '<meta name="twitter:image" content="data:image/png;base64,AAAA">' +
          '<script type="application/ld+json">{"@type":"Article","image":"javascript:alert(2)","author":"<b>x</b>"}</script>',
      ),
      PAGE_URL,
    );
    expect(meta.htmlMetaData.description).toBe('<script>alert(1)</script>');
    expect(meta.htmlMetaData.keywords).toBe('--- !!js/function "function(){}"\nkey: [a, b]');
    expect(meta.htmlMetaData.ogimage).toBeNull();
    expect(meta.twitterMetaData.twitterimage).toBeNull();
    expect(meta.imageCandidates).toEqual([]);
  });

  it('reads JSON-LD in arrays and @graph, takes all authors and image shapes, and ignores invalid blocks', () => {
    const meta = extractMetadata(
      page(
        '<script type="application/ld+json">{ broken json,, </script>' +
          '<script type="application/ld+json">[{"@type":"Organization","name":"Org"},' +
          '{"@type":["BlogPosting"],"headline":"H","description":"D","author":[{"name":"Ann Lee"},"Bob Ray",{"@type":"Person","name":"Ann Lee"}],' +
          '"datePublished":"2024-02-03","dateModified":"2024-02-04T10:00:00Z","image":[{"url":"/i1.jpg"},"https://img.example/i2.jpg"],"publisher":{"name":"Pub"}}]</script>',
      ),
      'https://blog.example/post',
    );
    expect(meta.jsonLd).toMatchObject({
      type: 'blogposting',
      headline: 'H',
      description: 'D',
      publisher: 'Pub',
    });
    expect(meta.authors).toEqual(['Ann Lee', 'Bob Ray']);
    expect(meta.publishedAt).toBe('2024-02-03T00:00:00.000Z');
    expect(meta.modifiedAt).toBe('2024-02-04T10:00:00.000Z');
    expect(meta.imageCandidates.map((candidate) => candidate.url)).toEqual([
      'https://blog.example/i1.jpg',
      'https://img.example/i2.jpg',
    ]);
  });

  it('falls back to meta author, then rel=author, for the byline', () => {
    expect(
      extractMetadata(page('<meta name="author" content="Meta Author">'), PAGE_URL).authors,
    ).toEqual(['Meta Author']);
    expect(
      extractMetadata(
        page('<meta property="article:author" content="https://facebook.com/x">'),
        PAGE_URL,
      ).authors,
    ).toEqual([]);
    expect(
      extractMetadata(page('', '<a rel="author" href="/a">By  Jane   Doe</a>'), PAGE_URL).authors,
    ).toEqual(['Jane Doe']);
  });

  it('reads microdata and byline authors, but not a body class that mentions authors', () => {
    expect(
      extractMetadata(
        page(
          '',
          '<span itemprop="author" itemscope><span itemprop="name">Amara  Okafor</span></span>',
        ),
        PAGE_URL,
      ).authors,
    ).toEqual(['Amara Okafor']);
    expect(
      extractMetadata(page('', '<div class="post-byline">By Li Wei</div>'), PAGE_URL).authors,
    ).toEqual(['Li Wei']);
    const html =
      '<html><head></head><body class="single-author"><script type="application/ld+json">{"@type":"Article","author":"Jo Ng"}</script>' +
      '<div class="author-bio">A very long biography of the author that goes on and on about many things for far too long</div></body></html>';
    expect(extractMetadata(html, PAGE_URL).authors).toEqual(['Jo Ng']);
  });

  it('takes the title from og:title, twitter:title, JSON-LD headline, then <title>', () => {
    const titled = (head: string) => pageTitle(extractMetadata(page(head), PAGE_URL));
    expect(
      titled(
        '<title>T | Site</title><meta name="twitter:title" content="Tw"><meta property="og:title" content="Og">',
      ),
    ).toBe('Og');
    expect(titled('<title>T | Site</title><meta name="twitter:title" content="Tw">')).toBe('Tw');
    expect(
      titled(
        '<title>T | Site</title><script type="application/ld+json">{"@type":"NewsArticle","headline":"Hl"}</script>',
      ),
    ).toBe('Hl');
    expect(titled('<title>T | Site</title>')).toBe('T | Site');
    expect(titled('')).toBeUndefined();
  });

  it('survives broken HTML', () => {
    const meta = extractMetadata(
      '<html><head><title>Broken <b>page</title><meta name="description" content="still here"<meta property="og:title" content="T">' +
        '<body><div><p>unclosed <span>',
      PAGE_URL,
    );
    expect(meta.title).toBe('Broken <b>page');
    expect(meta.htmlMetaData.description).toBe('still here');
  });

  it('ignores the <title> of an inline SVG', () => {
    const meta = extractMetadata(
      '<body><svg><title>icon</title></svg><title>Real</title></body>',
      PAGE_URL,
    );
    expect(meta.title).toBe('Real');
  });

  it('caps the number of meta tags', () => {
    const many = Array.from(
      { length: 1000 },
      (_, index) => `<meta name="k${index}" content="v">`,
    ).join('');
    expect(
      Object.keys(extractMetadata(page(many), PAGE_URL).htmlMetaData).length,
    ).toBeLessThanOrEqual(310);
  });
});

describe('hostile front-matter keys: page meta names', () => {
  const meta = extractMetadata(
    page(
      '<meta name="<<" content=x><meta name="a b: c" content=x><meta property="__proto__" content=x>' +
        '<meta name="!!binary" content=x><meta name="yes" content=x><meta name="1e3" content=x>' +
        '<meta name="constructor" content=kept><meta property="OG:Title" content=kept>' +
        '<meta name="twitter:card" content=kept>',
    ),
    PAGE_URL,
  );
  const records = {
    htmlMetaData: meta.htmlMetaData,
    openGraphMetaData: meta.openGraphMetaData,
    twitterMetaData: meta.twitterMetaData,
  };

  it('keeps only keys of [a-z0-9._-], normalised as before', () => {
    for (const record of Object.values(records))
      for (const key of Object.keys(record)) expect(key).toMatch(/^[a-z0-9._-]+$/);
    expect(meta.htmlMetaData).toMatchObject({
      constructor: 'kept',
      ogtitle: 'kept',
      twittercard: 'kept',
    });
    expect(meta.openGraphMetaData).toMatchObject({ ogtitle: 'kept' });
    expect(meta.twitterMetaData).toEqual({ twittercard: 'kept' });
  });

  it('written as plain YAML keys, reads the same under js-yaml and yaml in YAML 1.1 mode', () => {
    const text = stringify(records, { defaultKeyType: 'PLAIN', defaultStringType: 'QUOTE_DOUBLE' });
    expect(load(text)).toEqual(parse(text, { version: '1.1' }));
    expect(load(text)).toEqual(records);
  });
});
