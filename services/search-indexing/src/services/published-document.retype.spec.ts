import type { ItemImagedData } from '@curation/contracts';
import { fixturePath, referenceItem } from '@curation/testing';
import {
  DEFAULT_CONTENT_TYPE,
  readContentTypesFile,
  resolveContentTypes,
} from '../config/content-types.config';
import { PublishedDocumentService, type ContentTypeFields } from './published-document.service';
import type { FrontMatter, SearchDocument } from './published-document.types';

const RESEARCH_FILE = fixturePath('content-types/research.content-types.yaml');

const newsOnly = new PublishedDocumentService(resolveContentTypes({}));
const withResearch = new PublishedDocumentService(
  resolveContentTypes({}, readContentTypesFile(RESEARCH_FILE)),
);

/** The fields `retype` may change; checked against the type, so a new one cannot be missed here. */
const CONTENT_TYPE_FIELDS = Object.keys({
  aliases: true,
  archetype: true,
  basePath: true,
  breadcrumbLinks: true,
  breadcrumbs: true,
  contentCategories: true,
  institution: true,
  offering: true,
  layOut: true,
  favIconImage: true,
  featuredPdf: true,
  identifier: true,
  mastHead: true,
  openProjectWorkPackageType: true,
  searchCategory: true,
  source: true,
  status: true,
  sub: true,
  tags: true,
  via: true,
  insights_description: true,
  insights_name: true,
  viaLink: true,
} satisfies Record<keyof ContentTypeFields, true>);

function item(change: (data: ItemImagedData) => ItemImagedData = (data) => data) {
  const reference = referenceItem();
  return { ...reference, data: change(reference.data) };
}

const withTopics =
  (topics: string[]) =>
  (data: ItemImagedData): ItemImagedData => ({ ...data, topics });

const asSubmission = (data: ItemImagedData): ItemImagedData => ({
  ...data,
  source: 'submission',
  workPackage: undefined,
});

/** The document as OpenSearch hands it back: JSON, so no `undefined` values and no shared arrays. */
function indexed(document: SearchDocument): SearchDocument {
  return JSON.parse(JSON.stringify(document)) as SearchDocument;
}

function withoutContentTypeFields(frontMatter: FrontMatter): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(frontMatter).filter(([key]) => !CONTENT_TYPE_FIELDS.includes(key)),
  );
}

function markdownOf(service: PublishedDocumentService, search: SearchDocument): string {
  return service.markdown({
    itemId: search.itemId,
    revision: search.revision,
    documentKey: search.documentKey,
    search,
  });
}

describe('PublishedDocumentService.retype', () => {
  it.each([
    ['the reference work package', item()],
    ['a submission', item(asSubmission)],
    ['a work package with a Research topic', item(withTopics(['Research: Clinical Trials']))],
  ])('is the identity on %s built with the same catalogue', (_name, built) => {
    for (const service of [newsOnly, withResearch]) {
      const search = indexed(service.build(built).search);
      const retyped = service.retype(search);
      expect(retyped).toEqual(search);
      // Same key order too: the Markdown is byte for byte what indexing wrote.
      expect(markdownOf(service, retyped)).toBe(markdownOf(service, search));
    }
  });

  it('gives a News document with a Research topic the Research constants of the new catalogue', () => {
    const researchItem = item(withTopics(['HIMSS: Digital Health', 'Research: Clinical Trials']));
    const stored = indexed(newsOnly.build(researchItem).search);
    expect(stored.contentType).toBe(DEFAULT_CONTENT_TYPE);

    const retyped = withResearch.retype(stored);

    const title = stored.frontMatter.title;
    expect(retyped.contentType).toBe('research');
    expect(retyped.frontMatter).toMatchObject({
      archetype: 'research',
      contentCategories: 'netspective-medigy-research-curated-content',
      identifier: 'Research',
      searchCategory: 'Research',
      tags: ['Research'],
      basePath: '/research/',
      mastHead: 'RESEARCH',
      breadcrumbs: ['Home', 'Research', title],
      breadcrumbLinks: ['/', '/research/', ''],
      // Inherited from the default type: the file does not name them for Research.
      openProjectWorkPackageType: 'Curated Content',
      source: 'open-project-curations',
    });
    expect(retyped.frontMatter.aliases).toMatch(/^\/research\/[a-z0-9-]+$/);
    // Nothing the content type does not decide has changed, the search fields included.
    expect(withoutContentTypeFields(retyped.frontMatter)).toEqual(
      withoutContentTypeFields(stored.frontMatter),
    );
    expect({ ...retyped, contentType: undefined, frontMatter: undefined }).toEqual({
      ...stored,
      contentType: undefined,
      frontMatter: undefined,
    });
    // Exactly what publishing the item with the new catalogue gives, Markdown included.
    const fresh = indexed(withResearch.build(researchItem).search);
    expect(retyped).toEqual(fresh);
    expect(markdownOf(withResearch, retyped)).toBe(markdownOf(withResearch, fresh));
  });

  it('gives a submission the type’s submission source and no OpenProject type', () => {
    const stored = indexed(
      newsOnly.build(item((data) => withTopics(['Research: Genomics'])(asSubmission(data)))).search,
    );
    const retyped = withResearch.retype(stored);
    expect(retyped.contentType).toBe('research');
    expect(retyped.frontMatter).toMatchObject({
      source: 'research-submission',
      openProjectWorkPackageType: null,
      identifier: 'Research',
    });
  });

  it('takes a Research document back to News when the Research type is gone', () => {
    const researchItem = item(withTopics(['Research: Clinical Trials']));
    const stored = indexed(withResearch.build(researchItem).search);
    expect(stored.frontMatter.identifier).toBe('Research');
    expect(newsOnly.retype(stored)).toEqual(indexed(newsOnly.build(researchItem).search));
  });

  it('corrects a submission stamped with an OpenProject type and source before that rule', () => {
    const current = indexed(newsOnly.build(item(asSubmission)).search);
    const stamped: SearchDocument = {
      ...current,
      frontMatter: {
        ...current.frontMatter,
        openProjectWorkPackageType: 'Curated Content',
        source: 'open-project-curations',
      },
    };
    expect(newsOnly.retype(stamped)).toEqual(current);
  });

  it('leaves a document whose topics no rule matches as News under the Research catalogue', () => {
    const stored = indexed(newsOnly.build(item()).search);
    expect(withResearch.retype(stored)).toEqual(stored);
  });

  it('does not change the document it is given', () => {
    const stored = indexed(newsOnly.build(item(withTopics(['Research: Genomics']))).search);
    const copy = indexed(stored);
    withResearch.retype(stored);
    expect(stored).toEqual(copy);
  });
});
