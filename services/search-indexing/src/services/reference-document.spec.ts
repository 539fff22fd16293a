import { FRONT_MATTER_YAML_OPTIONS } from '@curation/content';
import { itemImagedDataSchema } from '@curation/contracts';
import { parse, stringify } from 'yaml';
import { referenceBody, referenceDocumentText, referenceItem } from '@curation/testing';
import { resolveContentTypes } from '../config/content-types.config';
import { PublishedDocumentService } from './published-document.service';
import { FRONT_MATTER_PAGE_KEYS } from './published-document.types';

type Fields = Record<string, unknown>;

function splitDocument(text: string, options?: { version: '1.1' | '1.2' }) {
  const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
  if (!match) throw new Error('not a front-matter document');
  return { frontMatter: parse(match[1], options) as Fields, body: match[2] };
}

describe('the published document of work package 7614 (golden test)', () => {
  const item = referenceItem();
  const documents = new PublishedDocumentService(resolveContentTypes({}));
  const published = documents.build(item);
  const markdown = documents.markdown(published);
  const actual = splitDocument(markdown);
  const reference = splitDocument(referenceDocumentText());

  /**
   * Every place where the pipeline deliberately differs from the reference, and why.
   * Nothing else may differ.
   */
  const intendedFixes: Fields = {
    // The seed joined paragraphs without a space ("organisations.The"); enrichment joins them with one.
    description:
      'NHSX has published new digital guidelines for NHS leaders and organisations. The ‘What Good Looks Like’ framework aims to give NHS managers clear instructions on using digital in their service. It',
    // The seed's UUID namespace is unknown: the item id is this pipeline's `itemIdForWorkPackage`.
    mdName: `${item.itemId}.md`,
    featuredImage: {
      ...(reference.frontMatter.featuredImage as Fields),
      href: `${item.itemId}-featuredImage.jpeg`,
    },
  };

  it('the fixture is a valid imaged event', () => {
    expect(itemImagedDataSchema.safeParse(item.data).success).toBe(true);
  });

  it('has every front-matter field of the reference, in its order, then only the page fields it lacks', () => {
    expect(Object.keys(actual.frontMatter)).toEqual([
      ...Object.keys(reference.frontMatter),
      ...FRONT_MATTER_PAGE_KEYS,
    ]);
    for (const key of FRONT_MATTER_PAGE_KEYS) expect(reference.frontMatter).not.toHaveProperty(key);
  });

  it('carries what the page said of itself under the keys the reference lacks', () => {
    // The page's `2021-08-31T10:44:14-04:00`, in UTC as the index holds it.
    expect(actual.frontMatter).toMatchObject({
      publishedAt: '2021-08-31T14:44:14.000Z',
      modifiedAt: '2021-08-31T14:44:37.000Z',
      canonicalUrl: item.data.url,
    });
    expect(published.search).toMatchObject({
      publishedAt: '2021-08-31T14:44:14.000Z',
      canonicalUrl: item.data.url,
    });
  });

  it.each(Object.keys(splitDocument(referenceDocumentText()).frontMatter))(
    'field %s equals the reference (or its listed fix)',
    (field) => {
      const expected = field in intendedFixes ? intendedFixes[field] : reference.frontMatter[field];
      expect(actual.frontMatter[field]).toEqual(expected);
    },
  );

  it('lists only fixes that really differ from the reference', () => {
    for (const [field, fixed] of Object.entries(intendedFixes)) {
      expect(reference.frontMatter[field]).not.toEqual(fixed);
    }
  });

  it('keeps the nested objects in the reference order', () => {
    for (const field of ['featuredImage', 'link', 'htmlMetaData', 'openGraphMetaData']) {
      expect(Object.keys(actual.frontMatter[field] as Fields)).toEqual(
        Object.keys(reference.frontMatter[field] as Fields),
      );
    }
  });

  it('publishes the reference body unchanged after the front matter', () => {
    expect(actual.body).toBe(`${referenceBody()}\n`);
  });

  it('writes the front matter byte for byte as the yaml library does with the same options', () => {
    const frontMatter = stringify(published.search.frontMatter, FRONT_MATTER_YAML_OPTIONS);
    expect(markdown.startsWith(`---\n${frontMatter}---\n`)).toBe(true);
  });

  it('reads the same under a YAML 1.1 reader (dates and numbers-as-text stay strings)', () => {
    expect(splitDocument(markdown, { version: '1.1' }).frontMatter).toEqual(actual.frontMatter);
  });

  it('stores the document under its mdName', () => {
    expect(published.documentKey).toBe(`${item.itemId}.md`);
    expect(published.search.documentKey).toBe(published.documentKey);
  });
});
