import { testEnrichmentConfig } from '../testing/enrichment-config.fixture';
import { extractPageInline } from '../utils/page-extraction';
import { PageExtractionRepository } from './page-extraction.repository';

const PAGE_URL = 'https://news.example/story';
const HEAD =
  '<head><title>Hostile page</title><meta property="og:title" content="Still titled"></head>';
const deepDivs = (depth: number) =>
  `<html>${HEAD}<body>${'<div>'.repeat(depth)}<p>Text at the bottom.</p>${'</div>'.repeat(depth)}</body></html>`;
const article = `<html>${HEAD}<body><article><h1>Story</h1>${Array.from(
  { length: 6 },
  (_, index) =>
    `<p>Paragraph ${index} of the story, long enough to count as readable prose for the extractor.</p>`,
).join('')}</article></body></html>`;

async function poolWith(settings: Record<string, string>): Promise<PageExtractionRepository> {
  const pool = new PageExtractionRepository(
    testEnrichmentConfig({
      EXTRACTION_THREADS: '1',
      ...settings,
    }),
  );
  await pool.onModuleInit();
  return pool;
}

/** The pool runs the built worker (`npm run build`), as the service does. */
describe('PageExtractionRepository (worker-thread pool)', () => {
  const pools: PageExtractionRepository[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.onApplicationShutdown()));
  });

  it('returns what the inline extraction returns', async () => {
    const pool = await poolWith({});
    pools.push(pool);
    const result = await pool.extract(article, PAGE_URL, { body: true });
    const inline = extractPageInline(article, PAGE_URL, {
      body: true,
      budget: { maxDepth: 100, maxElements: 10_000, bodyMaxBytes: 200 * 1024 },
    });
    expect(result).toEqual({ kind: 'extracted', ...inline });
    expect(await pool.extract(article, PAGE_URL, { body: false })).toEqual({
      kind: 'extracted',
      metadata: inline.metadata,
    });
  });

  it('ends a body past the deadline with the metadata, and terminates the busy thread', async () => {
    // No depth budget: Readability really runs on 8,500 nested <div>s (~44 s).
    const pool = await poolWith({ EXTRACTION_MAX_DEPTH: '1000000', EXTRACTION_TIMEOUT_MS: '1500' });
    pools.push(pool);
    const started = Date.now();
    const result = await pool.extract(deepDivs(8_500), PAGE_URL, { body: true });
    expect(result).toMatchObject({
      kind: 'body-over-budget',
      metadata: { title: 'Hostile page' },
    });
    // The pool's only thread was terminated and replaced: the next page is served.
    const next = await pool.extract(article, PAGE_URL, { body: true });
    console.log(
      `deadline case: hostile page ended after ${Date.now() - started} ms incl. the next page`,
    );
    expect(next).toMatchObject({ kind: 'extracted', body: { method: 'readability' } });
  }, 60_000);

  it('ends a body that outgrows the thread heap with the metadata, long before the deadline', async () => {
    const pool = await poolWith({
      EXTRACTION_MAX_MEMORY_MB: '32',
      EXTRACTION_MAX_ELEMENTS: '10000000',
      EXTRACTION_TIMEOUT_MS: '600000',
    });
    pools.push(pool);
    const wide = `<html>${HEAD}<body>${'<div><span>x</span> words</div>'.repeat(100_000)}</body></html>`;
    expect(await pool.extract(wide, PAGE_URL, { body: true })).toMatchObject({
      kind: 'body-over-budget',
      metadata: { title: 'Hostile page' },
    });
  }, 120_000);

  it('ends a page whose metadata is past the deadline as over budget', async () => {
    const pool = await poolWith({ EXTRACTION_TIMEOUT_MS: '1' });
    pools.push(pool);
    const wide = `<html>${HEAD}<body>${'<div><span>x</span> words</div>'.repeat(100_000)}</body></html>`;
    expect(await pool.extract(wide, PAGE_URL, { body: true })).toEqual({ kind: 'over-budget' });
  }, 60_000);
});
