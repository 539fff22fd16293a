import type { ItemFailedData, ItemIndexedData, ItemRemovedData } from '@curation/contracts';

/** Editor-facing lines added under the outcome, when they apply. */
export interface PublishedNotes {
  /** The page names another canonical URL than the one curated. */
  canonicalUrl?: string;
  /** Why the attachment was not the featured image (the image came from the page, if any). */
  attachmentUnused?: string;
  /** Another published work package has the same canonical URL. */
  sameArticleAs?: number;
}

const HEADER = '**Curation pipeline**';

const FAILURE_ADVICE: Record<ItemFailedData['stage'], string> = {
  ingestion:
    'The work package could not be read as a curated item: check its type and the cleanUrl / sourceUrl fields, then save it again.',
  enrichment:
    'The page could not be fetched or read: check that cleanUrl (or sourceUrl) opens a public article page, fix the URL if it moved, then save the work package again.',
  'image-processing':
    'The featured image could not be made: replace the image attachment (a JPEG, PNG, WebP or AVIF photo), or remove it to use the image of the page.',
  'search-indexing':
    'The document could not be published: nothing to change here, operators have been told (item status in the pipeline).',
};

const REMOVAL_REASONS: Record<ItemRemovedData['reason'], string> = {
  'unpublished-status': 'its status is not one that publishes',
  'missing-url': 'neither cleanUrl nor sourceUrl holds an http(s) URL',
  'deleted-upstream': 'the work package was deleted or is no longer visible to the pipeline',
  'type-changed': 'the work package is no longer of the curated type',
  operator: 'an operator took it down',
  duplicate: 'the same article is already published as another item',
};

/** Text from pages and failure reasons, shown as text in OpenProject's Markdown: one line, no markup. */
export function plain(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_[\]<>#!|~]/g, (character) => `\\${character}`)
    .slice(0, 500);
}

function lines(...entries: Array<string | undefined | false>): string {
  return entries.filter((entry): entry is string => typeof entry === 'string').join('\n');
}

export function publishedComment(input: {
  itemId: string;
  revision: number;
  documentLink?: string;
  data: ItemIndexedData;
  notes: PublishedNotes;
}): string {
  const { notes } = input;
  const editorNotes = [
    notes.canonicalUrl &&
      `- The page names another canonical URL than cleanUrl: ${plain(notes.canonicalUrl)} (consider using it as cleanUrl).`,
    notes.attachmentUnused &&
      `- The image attachment could not be used (${plain(notes.attachmentUnused)}); the image was taken from the page instead. Replace the attachment to choose the image.`,
    notes.sameArticleAs !== undefined &&
      `- The same article is already curated as work package #${notes.sameArticleAs}.`,
  ].filter((note): note is string => typeof note === 'string');
  return lines(
    `${HEADER}: **published** (revision ${input.revision}).`,
    '',
    input.documentLink ? `- Document: ${input.documentLink}` : undefined,
    `- Item id: \`${input.itemId}\``,
    ...(editorNotes.length > 0 ? ['', 'Please note:', ...editorNotes] : []),
  );
}

export function failedComment(input: {
  itemId: string;
  revision: number;
  data: ItemFailedData;
  publicReason: string;
}): string {
  const { data } = input;
  return lines(
    `${HEADER}: **failed** at ${data.stage} (revision ${input.revision}) after ${data.attempts} attempt${data.attempts === 1 ? '' : 's'}.`,
    '',
    `- Reason: ${plain(input.publicReason)}`,
    `- What you can do: ${FAILURE_ADVICE[data.stage]}`,
    `- Item id: \`${input.itemId}\``,
  );
}

export function removedComment(input: {
  itemId: string;
  revision: number;
  data: ItemRemovedData;
}): string {
  const { data } = input;
  return lines(
    `${HEADER}: **removed** from the site (revision ${input.revision}): ${REMOVAL_REASONS[data.reason]}${data.detail ? ` (${plain(data.detail)})` : ''}.`,
    '',
    `- Item id: \`${input.itemId}\``,
  );
}
