/**
 * Indexing throughput of search-indexing versus a bare `helpers.bulk` of the same search
 * documents into the same OpenSearch node, in the same run:
 * - indexing path: `IndexingService.upsert` (versioned bulk in parallel chunks, per-item
 *   outcomes) — the goal is >= 0.8 of the bare loop;
 * - whole batch: `IndexingService.indexBatch` from imaged events (document build, HTML
 *   sanitising, YAML rendering, upsert), Markdown writes and Kafka replaced by no-op adapters;
 * - for information, the whole batch with the Markdown written to the real S3.
 * Run: `npx tsx bench/indexing.bench.ts` (infrastructure running).
 */
/* eslint-disable @typescript-eslint/no-restricted-imports -- a benchmark drives the service's own code, as no other service may */
import 'reflect-metadata';
import { loadConfig } from '@curation/config';
import { createEvent, Topic, type EventOf } from '@curation/contracts';
import type { EventPublisher } from '@curation/kafka';
import { createOpenSearchClient } from '@curation/search';
import { createS3Client, ObjectStorageRepository, type StoredObject } from '@curation/storage';
import { endpointsToEnv, readEndpoints } from '../infra/src/infra-runner';
import { resolveContentTypes } from '../services/search-indexing/src/config/content-types.config';
import {
  searchIndexingConfigSchema,
  type SearchIndexingConfig,
} from '../services/search-indexing/src/config/search-indexing.config';
import { SearchIndexRepository } from '../services/search-indexing/src/repositories/search-index.repository';
import { IndexingService } from '../services/search-indexing/src/services/indexing.service';
import { PublishedDocumentService } from '../services/search-indexing/src/services/published-document.service';
import { SearchIndexSetupService } from '../services/search-indexing/src/services/search-index-setup.service';
import { referenceItem } from '../test/fixtures/reference/reference-item.fixture';
import { uniqueName } from '../test/support/test-environment';

const DOCUMENTS = 3000;
/** A Kafka batch of imaged events, as the consumer hands it over. */
const BATCH = 500;
const ROUNDS = 3;

type ImagedEvent = EventOf<typeof Topic.ItemImaged>;

const noStorage = {
  bucket: 'bench',
  put: async (_object: StoredObject) => undefined,
  delete: async (_key: string) => undefined,
} as unknown as ObjectStorageRepository;
const noPublisher = { publishMany: async () => [] } as unknown as EventPublisher;

function environment(): Record<string, string | undefined> {
  if (process.env.OPENSEARCH_URL) return process.env;
  const endpoints = readEndpoints();
  if (!endpoints) throw new Error('no infrastructure: run `npm run infra:up` first');
  return { ...process.env, ...endpointsToEnv(endpoints) };
}

function configFor(alias: string, bucket = 'bench'): SearchIndexingConfig {
  return loadConfig(searchIndexingConfigSchema, {
    ...environment(),
    SEARCH_INDEX_ALIAS: alias,
    S3_BUCKET: bucket,
    SEARCH_INDEX_REPLICAS: '0',
  });
}

function events(run: string, round: number, count = DOCUMENTS): ImagedEvent[] {
  return Array.from({ length: count }, (_, n) => {
    const item = referenceItem({
      openProjectUrl: `https://${run}-${round}-${n}.example`,
      revision: 1,
    });
    // About 3 KB of body, like the articles the pipeline carries.
    item.data.article.bodyHtml = item.data.article.bodyHtml.repeat(3);
    return createEvent(Topic.ItemImaged, { itemId: item.itemId, revision: 1, data: item.data });
  });
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const run = uniqueName('bench-indexing');
  const configs = {
    path: configFor(`${run}-path`),
    batch: configFor(`${run}-batch`),
    bare: configFor(`${run}-bare`),
  };
  const client = createOpenSearchClient(configs.bare.OPENSEARCH_URL);
  const repository = new SearchIndexRepository(client);
  const documents = new PublishedDocumentService(resolveContentTypes({}));
  const setups = Object.values(configs).map(
    (config) => new SearchIndexSetupService(config, repository),
  );
  const indexing = (config: SearchIndexingConfig) =>
    new IndexingService(config, repository, noStorage, documents, noPublisher);
  const pathService = indexing(configs.path);
  const batchService = indexing(configs.batch);
  const rates: Record<keyof typeof configs, number[]> = { path: [], batch: [], bare: [] };
  const ratios: number[] = [];
  try {
    for (const setup of setups) await setup.ensureIndex();
    for (let round = 0; round <= ROUNDS; round++) {
      const batch = events(`${run}-${round}`, round);
      const searchDocuments = batch.map(
        (event) =>
          documents.build({ itemId: event.itemId, revision: event.revision, data: event.data })
            .search,
      );
      // Batch by batch, as the consumer receives them; the three variants take turns on each
      // batch so a busy neighbour on the shared machine slows all of them alike.
      const seconds: Record<keyof typeof configs, number> = { path: 0, batch: 0, bare: 0 };
      for (let start = 0; start < batch.length; start += BATCH) {
        const events = batch.slice(start, start + BATCH);
        const slice = searchDocuments.slice(start, start + BATCH);
        const measures: Record<keyof typeof configs, () => Promise<void>> = {
          path: async () => {
            const failed = (await pathService.upsert(slice)).find((result) => result.status >= 300);
            if (failed) throw new Error(`${failed.status} ${failed.error?.reason}`);
          },
          batch: async () => {
            const failures = await batchService.indexBatch(events);
            if (failures.length > 0) throw new Error(failures[0].reason);
          },
          bare: async () => {
            const stats = await client.helpers.bulk({
              datasource: slice,
              onDocument: (document) => ({
                index: { _index: configs.bare.SEARCH_INDEX_ALIAS, _id: document.itemId },
              }),
            });
            if (stats.failed > 0) throw new Error(`${stats.failed} bare documents failed`);
          },
        };
        const names = ['path', 'batch', 'bare'] as const;
        const turn = start / BATCH + round;
        for (const name of names.map((_, n) => names[(n + turn) % names.length])) {
          seconds[name] += await timed(measures[name]);
        }
      }
      const line: string[] = [];
      for (const name of ['path', 'batch', 'bare'] as const) {
        const rate = DOCUMENTS / seconds[name];
        // Round 0 warms up the JIT, the indexes and the connections.
        if (round > 0) rates[name].push(rate);
        line.push(`${name} ${rate.toFixed(0)}`);
      }
      ratios.push(seconds.bare / seconds.path);
      console.log(`round ${round}${round === 0 ? ' (warm-up)' : ''}: ${line.join(', ')} docs/s`);
    }
    const [path, batch, bare] = [median(rates.path), median(rates.batch), median(rates.bare)];
    console.log(`medians of ${ROUNDS} rounds of ${DOCUMENTS} documents (~8 KB each):`);
    console.log(`  bare helpers.bulk:                      ${bare.toFixed(0)} documents/s`);
    console.log(
      `  service indexing path (upsert):         ${path.toFixed(0)} documents/s, ratio ${(path / bare).toFixed(2)} (goal >= 0.8; median of per-round ratios ${median(ratios.slice(1)).toFixed(2)})`,
    );
    console.log(
      `  service whole batch (build+YAML+upsert): ${batch.toFixed(0)} documents/s, ratio ${(batch / bare).toFixed(2)}`,
    );

    const s3Config = configFor(`${run}-path`, run);
    const storage = new ObjectStorageRepository(createS3Client(s3Config), run);
    await storage.ensureBucket();
    const withS3 = new IndexingService(s3Config, repository, storage, documents, noPublisher);
    const sample = events(`${run}-s3`, 0, BATCH);
    const s3Seconds = await timed(async () => void (await withS3.indexBatch(sample)));
    console.log(
      `  for information, whole batch with Markdown written to S3 (${s3Config.SEARCH_DOCUMENT_WRITE_CONCURRENCY} in flight): ${(BATCH / s3Seconds).toFixed(0)} documents/s`,
    );
    for (const event of sample) await storage.delete(`${event.itemId}.md`);
  } finally {
    for (const setup of setups) await setup.dropAll();
    await client.close();
  }
}

main().catch((error: Error) => {
  console.error(`indexing benchmark failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
