import { markdownInertHtml, markdownInertParagraphs } from '@curation/content';
import type { ItemImagedData } from '@curation/contracts';
import {
  HOSTILE_BODIES,
  expectInertMarkdown,
  markdownBodyOf,
  referenceItem,
} from '@curation/testing';
import { load } from 'js-yaml';
import { parse } from 'yaml';
import { resolveContentTypes } from '../config/content-types.config';
import { PublishedDocumentService } from './published-document.service';

const documents = new PublishedDocumentService(resolveContentTypes({}));

function publish(change: (data: ItemImagedData) => ItemImagedData): string {
  const item = referenceItem();
  return documents.markdown(documents.build({ ...item, data: change(item.data) }));
}

function withBody(bodyHtml: string) {
  return (data: ItemImagedData): ItemImagedData => ({
    ...data,
    descriptionHtml: undefined,
    article: { ...data.article, bodyHtml },
  });
}

/** As events enriched before enrichment chose the body: the description there, the body empty. */
function withDescription(descriptionHtml: string) {
  return (data: ItemImagedData): ItemImagedData => ({
    ...data,
    descriptionHtml,
    article: { ...data.article, bodyHtml: '' },
  });
}

describe('hostile Markdown corpus: the published Markdown document', () => {
  it.each(HOSTILE_BODIES)('$name, as the page body', (hostile) => {
    const markdown = publish(withBody(hostile.html));
    expectInertMarkdown(markdown, markdownBodyOf(markdown), hostile.visibleText);
  });

  it.each(HOSTILE_BODIES)(
    '$name, as the curator description HTML (an event of the previous release)',
    (hostile) => {
      const markdown = publish(withDescription(hostile.html));
      expectInertMarkdown(markdown, markdownBodyOf(markdown), hostile.visibleText);
    },
  );

  it.each(HOSTILE_BODIES)(
    '$name, as a submission description (plain text, an event of the previous release)',
    (hostile) => {
      const markdown = publish(withDescription(markdownInertParagraphs(hostile.visibleText)));
      // Plain text is shown as written: tags and entities in it are words too.
      expectInertMarkdown(markdown, markdownBodyOf(markdown), hostile.visibleText);
    },
  );

  it.each(HOSTILE_BODIES)(
    '$name, as enrichment already made it inert: published unchanged',
    (hostile) => {
      const inert = markdownInertHtml(documents.body(withBody(hostile.html)(referenceItem().data)));
      expect(markdownBodyOf(publish(withBody(inert)))).toBe(`${inert}\n`);
    },
  );
});

describe('hostile front-matter keys: page meta names', () => {
  // JSON.parse makes `__proto__` an own key, as an event read from Kafka would.
  const hostileMeta = JSON.parse(
    '{"<<":"merge","a b c":"spaces","__proto__":"proto","!!binary":"tag","yes":"bool","1e3":"number","2001-12-14":"date","Upper":"case","ogtitle":"kept"}',
  ) as Record<string, string | null>;
  const markdown = publish((data) => ({
    ...data,
    page: {
      ...data.page,
      htmlMetaData: { ...data.page.htmlMetaData, ...hostileMeta },
      openGraphMetaData: { ...data.page.openGraphMetaData, ...hostileMeta },
      twitterMetaData: { ...data.page.twitterMetaData, ...hostileMeta },
    },
  }));
  const yamlText = markdown.slice(4, markdown.indexOf('\n---\n', 4));

  it('parses to the same object under js-yaml and yaml in YAML 1.1 mode', () => {
    const byJsYaml = load(yamlText);
    expect(byJsYaml).toEqual(parse(yamlText, { version: '1.1' }));
    expect(byJsYaml).toEqual(parse(yamlText));
  });

  it('keeps only keys of [a-z0-9._-] from the page, safe ones unchanged', () => {
    const frontMatter = parse(yamlText, { version: '1.1' }) as Record<
      string,
      Record<string, unknown>
    >;
    for (const field of ['htmlMetaData', 'openGraphMetaData', 'twitterMetaData']) {
      for (const key of Object.keys(frontMatter[field])) expect(key).toMatch(/^[a-z0-9._-]+$/);
      expect(frontMatter[field]).toHaveProperty('ogtitle', 'kept');
      for (const key of ['yes', '1e3', '2001-12-14', '__proto__', 'Upper'])
        expect(Object.hasOwn(frontMatter[field], key)).toBe(false);
    }
  });
});

describe('featured image source', () => {
  const featuredImageOf = (markdown: string) =>
    (parse(markdown.split('---\n')[1]) as { featuredImage: Record<string, unknown> }).featuredImage;

  it('says `source: page` when the attachment could not be used', () => {
    const markdown = publish((data) => ({
      ...data,
      featuredImage: {
        ...data.featuredImage,
        wpAttachment: undefined,
        attachmentUnused: { problem: 'corrupt', reason: 'the attachment is not an image' },
      },
    }));
    expect(featuredImageOf(markdown)).toMatchObject({ source: 'page', valid: true });
  });

  it('adds no `source` key when the attachment was used', () => {
    expect(featuredImageOf(publish((data) => data))).not.toHaveProperty('source');
  });
});

describe('what the page said of itself', () => {
  const frontMatterOf = (markdown: string) =>
    parse(markdown.split('---\n')[1]) as Record<string, unknown>;
  const PLACEHOLDER = 'data:image/webp;base64,UklGRhYAAABXRUJQVlA4IAoAAAAwAQCdASoBAAEAAQ==';
  const withPage = (page: Partial<ItemImagedData['page']>, image = {}) =>
    publish((data) => ({
      ...data,
      page: { ...data.page, ...page },
      featuredImage: { ...data.featuredImage, ...image },
    }));

  it('carries dates in UTC, the canonical URL, site, language, publisher and image preview', () => {
    const markdown = withPage(
      {
        publishedAt: '2021-08-31T10:44:14-04:00',
        modifiedAt: '2021-09-01T00:00:00Z',
        siteName: '  Healthcare  IT News ',
        lang: 'en_GB',
        publisher: 'HIMSS Media',
      },
      { placeholder: PLACEHOLDER, dominantColor: '#1a2b3c' },
    );
    expect(frontMatterOf(markdown)).toMatchObject({
      publishedAt: '2021-08-31T14:44:14.000Z',
      modifiedAt: '2021-09-01T00:00:00.000Z',
      canonicalUrl: referenceItem().data.page.canonicalUrl,
      siteName: 'Healthcare IT News',
      lang: 'en-GB',
      publisher: 'HIMSS Media',
      featuredImagePlaceholder: PLACEHOLDER,
      featuredImageDominantColor: '#1a2b3c',
    });
    const item = referenceItem();
    const search = documents.build({
      ...item,
      data: {
        ...item.data,
        featuredImage: {
          ...item.data.featuredImage,
          placeholder: PLACEHOLDER,
          dominantColor: '#1a2b3c',
        },
      },
    }).search;
    expect(search).toMatchObject({ placeholder: PLACEHOLDER, dominantColor: '#1a2b3c' });
  });

  it('writes null for what the page did not say, or said in a form the index cannot hold', () => {
    const markdown = withPage(
      {
        publishedAt: 'last Tuesday',
        modifiedAt: undefined,
        canonicalUrl: undefined,
        siteName: '   ',
        lang: 'english please',
        publisher: undefined,
      },
      { valid: false, placeholder: PLACEHOLDER, dominantColor: '#1a2b3c' },
    );
    expect(frontMatterOf(markdown)).toMatchObject({
      publishedAt: null,
      modifiedAt: null,
      canonicalUrl: null,
      siteName: null,
      lang: null,
      publisher: null,
      featuredImagePlaceholder: null,
      featuredImageDominantColor: null,
    });
  });
});
