import 'reflect-metadata';
import { loadConfig } from '@curation/config';
import { createOpenSearchClient } from '@curation/search';
import { ObjectStorageRepository, createS3Client } from '@curation/storage';
import { isDeepStrictEqual } from 'node:util';
import { resolveContentTypes } from '../config/content-types.config';
import { searchIndexingConfigSchema } from '../config/search-indexing.config';
import {
  SearchIndexRepository,
  type BulkItemResult,
} from '../repositories/search-index.repository';
import { MARKDOWN_CONTENT_TYPE } from '../services/indexing.service';
import { PublishedDocumentService } from '../services/published-document.service';
import type { SearchDocument } from '../services/published-document.types';

const PAGE_SIZE = 200;

/** `newer-in-storage`: a newer revision reached the index or S3 meanwhile; it is left alone. */
type Result = 'rewritten' | 'unchanged' | 'newer-in-storage';

/** One JSON object per line on stdout: progress while it runs, the summary last. */
function report(line: object): void {
  console.log(JSON.stringify(line));
}

/**
 * Brings every indexed document to the current content-type configuration and renderer:
 * `npx tsx services/search-indexing/src/commands/rerender.command.ts`. A search document whose
 * content type or constants changed is written back at its own revision, then its Markdown is
 * rendered; what is already current is not written, so a second run writes nothing.
 */
async function main(): Promise<void> {
  const config = loadConfig(searchIndexingConfigSchema);
  const client = createOpenSearchClient(config.OPENSEARCH_URL);
  const index = new SearchIndexRepository(client);
  const storage = new ObjectStorageRepository(createS3Client(config), config.S3_BUCKET);
  const renderer = new PublishedDocumentService(
    resolveContentTypes(config.SEARCH_CONTENT_TYPE_OVERRIDES, config.CONTENT_TYPES_FILE),
  );
  const alias = config.SEARCH_INDEX_ALIAS;
  const counts: Record<Result, number> = { rewritten: 0, unchanged: 0, 'newer-in-storage': 0 };
  try {
    await index.refresh(alias);
    const total = await index.count(alias);
    let done = 0;
    let after: Array<string | number> | undefined;
    for (;;) {
      const page = await index.search(alias, {
        size: PAGE_SIZE,
        sort: [{ itemId: 'asc' }],
        ...(after ? { search_after: after } : {}),
      });
      const documents = page.hits.map((hit) => hit._source as SearchDocument);
      const retyped = documents.map((document) => renderer.retype(document));
      const written = await writeChanged(index, alias, documents, retyped);
      for (const [position, document] of documents.entries()) {
        const indexResult = written.get(document.itemId);
        const result =
          indexResult === 'newer'
            ? 'newer-in-storage'
            : await rerender(retyped[position], renderer, storage, indexResult === 'written');
        counts[result]++;
        report({ event: 'progress', done: ++done, total, itemId: document.itemId, result });
      }
      if (page.hits.length < PAGE_SIZE) break;
      after = page.hits.at(-1)?.sort;
    }
    report({ event: 'summary', documents: done, ...counts });
  } finally {
    await client.close();
  }
}

/**
 * One bulk request for the page's changed search documents, each at the revision it was read
 * with: `external_gte` lets the same revision overwrite, and answers 409 when a newer revision
 * (or its removal) got there first.
 */
async function writeChanged(
  index: SearchIndexRepository,
  alias: string,
  documents: SearchDocument[],
  retyped: SearchDocument[],
): Promise<Map<string, 'written' | 'newer'>> {
  const changed = retyped.filter(
    (document, position) => !isDeepStrictEqual(document, documents[position]),
  );
  if (changed.length === 0) return new Map();
  const results = await index.bulk(
    alias,
    changed.map((document) => ({
      kind: 'upsert',
      id: document.itemId,
      version: document.revision,
      document,
    })),
  );
  const failed = results.find((result) => !isWritten(result) && result.status !== 409);
  if (failed) {
    throw new Error(
      `OpenSearch did not take document ${failed.id} (${failed.status}): ${failed.error?.reason ?? 'no reason given'}; run the command again, it goes on from what still differs`,
    );
  }
  return new Map(results.map((result) => [result.id, isWritten(result) ? 'written' : 'newer']));
}

function isWritten(result: BulkItemResult): boolean {
  return result.status === 200 || result.status === 201;
}

async function rerender(
  document: SearchDocument,
  renderer: PublishedDocumentService,
  storage: ObjectStorageRepository,
  indexWritten: boolean,
): Promise<Result> {
  const markdown = renderer.markdown({
    itemId: document.itemId,
    revision: document.revision,
    documentKey: document.documentKey,
    search: document,
  });
  const stored = await storage.getObject(document.documentKey);
  if (stored && Number(stored.metadata.revision) > document.revision) return 'newer-in-storage';
  if (stored?.body.equals(Buffer.from(markdown))) return indexWritten ? 'rewritten' : 'unchanged';
  await storage.put({
    key: document.documentKey,
    body: markdown,
    contentType: MARKDOWN_CONTENT_TYPE,
    metadata: { 'item-id': document.itemId, revision: String(document.revision) },
  });
  return 'rewritten';
}

main().catch((error: Error) => {
  console.error(`rerender failed: ${error.message}`);
  process.exit(1);
});
