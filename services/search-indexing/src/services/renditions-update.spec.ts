import { createEvent, parseEvent, Topic, type Rendition } from '@curation/contracts';
import { referenceItem } from '@curation/testing';
import { resolveContentTypes } from '../config/content-types.config';
import { PublishedDocumentService } from './published-document.service';
import { renditionsUpdate } from './renditions-update';

const documents = new PublishedDocumentService(resolveContentTypes({}));
const item = referenceItem();
const indexed = documents.build(item).search;
const [main] = item.data.featuredImage.renditions;

function rendition(format: 'webp' | 'avif', sha = 'c'): Rendition {
  return {
    ...main,
    key: `${item.itemId}-featuredImage.${format}`,
    format,
    contentType: `image/${format}`,
    sha256: sha.repeat(64),
  };
}

describe('imaged events of both contract versions', () => {
  const current = createEvent(Topic.ItemImaged, item);

  it('writes version 2, whose featuredImage names the main rendition once', () => {
    expect(current.version).toBe(2);
    expect(Object.keys(current.data.featuredImage)).not.toEqual(
      expect.arrayContaining(['href', 'format', 'size']),
    );
  });

  it('reads a version 1 event (href, format, size) into the same document as version 2', () => {
    const image = current.data.featuredImage;
    const withoutMain: Partial<typeof image> = { ...image };
    delete withoutMain.main;
    const version1 = {
      ...current,
      version: 1,
      data: {
        ...current.data,
        featuredImage: { ...withoutMain, href: main.key, format: 'JPEG', size: [666, 1000] },
      },
    };
    const parsed = parseEvent(Topic.ItemImaged, JSON.stringify(version1));
    expect(parsed.data.featuredImage).toEqual(image);
    const fromVersion1 = documents.build({ ...item, data: parsed.data });
    const fromVersion2 = documents.build({
      ...item,
      data: parseEvent(Topic.ItemImaged, JSON.stringify(current)).data,
    });
    expect(fromVersion1).toEqual(fromVersion2);
    expect(documents.markdown(fromVersion1)).toBe(documents.markdown(fromVersion2));
    expect(fromVersion2.search.frontMatter.featuredImage).toMatchObject({
      href: main.key,
      format: 'JPEG',
      size: [666, 1000],
    });
  });
});

describe('renditionsUpdate: the revision rule of renditions-added', () => {
  const revision = indexed.revision;

  it('adds the renditions to the document of the same revision, leaving the front matter alone', () => {
    const update = renditionsUpdate(indexed, {
      revision,
      renditions: [rendition('webp'), rendition('avif')],
    });
    expect(update.kind).toBe('apply');
    if (update.kind !== 'apply') return;
    expect(update.document.renditions.map(({ format }) => format)).toEqual([
      'jpeg',
      'webp',
      'avif',
    ]);
    expect(update.document).toEqual({ ...indexed, renditions: update.document.renditions });
  });

  it('never touches a newer revision', () => {
    expect(
      renditionsUpdate(
        { ...indexed, revision: revision + 1 },
        { revision, renditions: [rendition('webp')] },
      ),
    ).toEqual({ kind: 'stale' });
  });

  it('waits for its own revision: a missing (not yet indexed, or removed) or older document is not updated', () => {
    const event = { revision, renditions: [rendition('webp')] };
    expect(renditionsUpdate(undefined, event)).toEqual({ kind: 'not-indexed' });
    expect(renditionsUpdate({ ...indexed, revision: revision - 1 }, event)).toEqual({
      kind: 'not-indexed',
    });
  });

  it('writes nothing for a redelivery, and replaces a rendition rendered again from a new source', () => {
    const withWebp = { ...indexed, renditions: [main, rendition('webp')] };
    expect(renditionsUpdate(withWebp, { revision, renditions: [rendition('webp')] })).toEqual({
      kind: 'unchanged',
    });
    const again = renditionsUpdate(withWebp, { revision, renditions: [rendition('webp', 'd')] });
    expect(again.kind === 'apply' && again.document.renditions).toEqual([
      main,
      rendition('webp', 'd'),
    ]);
  });
});
