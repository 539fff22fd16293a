import { Topic, type EventOf, type ItemReceivedData, type OfferingLink } from '@curation/contracts';
import type { EventPublisher } from '@curation/kafka';
import type { ReadinessRegistry } from '@curation/platform';
import { SafeFetchError, type SafeFetchResponse } from '@curation/safe-fetch';
import { enrichmentConfigSchema, type EnrichmentConfig } from '../config/enrichment.config';
import type { PageFetchJob } from '../page-fetch.job';
import type { HostThrottleRepository } from '../repositories/host-throttle.repository';
import type { ItemLinkRepository } from '../repositories/item-link.repository';
import type { OfferingRepository } from '../repositories/offering.repository';
import type {
  PageExtraction,
  PageExtractionRepository,
} from '../repositories/page-extraction.repository';
import type { PageFetchQueueRepository } from '../repositories/page-fetch-queue.repository';
import type { PageRepository } from '../repositories/page.repository';
import { extractPageInline } from '../utils/page-extraction';
import { EnrichmentService } from './enrichment.service';
import { RetryableFetchError } from './retryable-fetch.error';

const ITEM_ID = '5a8dda31-0971-5453-a590-1bd555012667';
const URL_ = 'https://www.healthcareitnews.com/news/emea/nhsx-sets-out-digital-guidance-nhs-trusts';

const received: ItemReceivedData = {
  source: 'submission',
  url: URL_,
  originalUrl: URL_,
  topics: ['HIMSS: Digital Health'],
  updatedAt: '2021-09-01T08:27:50.622Z',
  customFields: {},
};

const job: PageFetchJob = { itemId: ITEM_ID, revision: 3, received, trigger: 'received' };

const html = `<html><head><title>Page title</title><meta property="og:title" content="OG title">
<meta property="og:image" content="/img.jpg"></head><body><article>
${Array.from({ length: 4 }, (_, i) => `<p>Paragraph ${i} with enough words to be readable text for the extractor to keep.</p>`).join('')}
</article></body></html>`;

const offering: OfferingLink = {
  label: 'League Platform',
  permalink: '/offering/league-platform',
  categories: ['HIMSS: Digital Health'],
  offeringId: 15651,
};

/** The pool's interface, run in the test's thread (worker threads do not get jest's transform). */
function inlineExtraction(config: EnrichmentConfig, outcome?: PageExtraction['kind']) {
  const budget = {
    maxDepth: config.EXTRACTION_MAX_DEPTH,
    maxElements: config.EXTRACTION_MAX_ELEMENTS,
    bodyMaxBytes: config.BODY_MAX_BYTES,
  };
  return {
    extract: jest.fn(
      async (
        html: string,
        pageUrl: string,
        options: { body: boolean },
      ): Promise<PageExtraction> => {
        const { metadata, body } = extractPageInline(html, pageUrl, { body: options.body, budget });
        if (outcome === 'over-budget') return { kind: outcome };
        if (outcome === 'body-over-budget') return { kind: outcome, metadata };
        return { kind: 'extracted', metadata, body };
      },
    ),
  } as unknown as PageExtractionRepository;
}

function setup(
  fetchResult: () => Promise<SafeFetchResponse>,
  throttleWait = 0,
  extraction?: PageExtraction['kind'],
) {
  const config = enrichmentConfigSchema.parse({
    KAFKA_BROKERS: '127.0.0.1:1',
    REDIS_URL: 'redis://127.0.0.1:1',
    OPENSEARCH_URL: 'http://127.0.0.1:1',
    PAGE_FETCH_MAX_RETRY_AFTER_MS: '60000',
  });
  const published: Array<{ topic: string; event: unknown }> = [];
  const queued: Array<{ job: PageFetchJob; options: unknown }> = [];
  const recorded: PageFetchJob[] = [];
  const queries: unknown[] = [];
  const publisher = {
    publish: jest.fn(async (topic: string, event: unknown) => {
      published.push({ topic, event });
      return event;
    }),
  };
  const service = new EnrichmentService(
    config,
    {
      add: jest.fn(
        async (j: PageFetchJob, options: unknown) => void queued.push({ job: j, options }),
      ),
    } as unknown as PageFetchQueueRepository,
    { fetch: jest.fn(fetchResult) } as unknown as PageRepository,
    { reserve: jest.fn(async () => throttleWait) } as unknown as HostThrottleRepository,
    {
      findRelated: jest.fn(async (query: unknown) => {
        queries.push(query);
        return [offering];
      }),
    } as unknown as OfferingRepository,
    {
      record: jest.fn(async (j: PageFetchJob) => void recorded.push(j)),
    } as unknown as ItemLinkRepository,
    publisher as unknown as EventPublisher,
    { register: jest.fn() } as unknown as ReadinessRegistry,
    inlineExtraction(config, extraction),
  );
  return { service, published, queued, recorded, queries };
}

const htmlResponse = (
  body: string,
  contentType = 'text/html; charset=utf-8',
): SafeFetchResponse => ({
  url: `${URL_}?final`,
  status: 200,
  headers: { 'content-type': contentType },
  contentType,
  body: Buffer.from(body),
});

describe('EnrichmentService', () => {
  it('queues one job per item revision with the configured attempts', async () => {
    const { service, queued } = setup(async () => htmlResponse(html));
    const event = { itemId: ITEM_ID, revision: 3, data: received } as EventOf<
      typeof Topic.ItemReceived
    >;
    await service.handleReceived(event);
    expect(queued).toEqual([
      {
        job: {
          itemId: ITEM_ID,
          revision: 3,
          received,
          trigger: 'received',
          traceparent: undefined,
        },
        options: { attempts: 5, backoffMs: 2000 },
      },
    ]);
  });

  it('publishes enriched with metadata, body, derived fields and offerings, then records the item link', async () => {
    const { service, published, recorded, queries } = setup(async () => htmlResponse(html));
    const outcome = await service.processPageFetch(job, { attempt: 1, maxAttempts: 5 });
    expect(outcome).toEqual({ kind: 'enriched', finalUrl: `${URL_}?final` });
    expect(published).toHaveLength(1);
    const { topic, event } = published[0] as {
      topic: string;
      event: { data: Record<string, unknown> };
    };
    expect(topic).toBe(Topic.ItemEnriched);
    expect(event.data).toMatchObject({
      url: URL_,
      page: {
        finalUrl: `${URL_}?final`,
        title: 'Page title',
        imageCandidates: [{ url: 'https://www.healthcareitnews.com/img.jpg', source: 'og:image' }],
      },
      article: { title: 'OG title' },
      derived: { brand: 'healthcareitnews.com', slug: 'healthcareitnews-og-title' },
      relatedOfferings: [offering],
    });
    const article = event.data.article as { bodyHtml: string; description: string };
    expect(article.bodyHtml).toContain('<p>Paragraph 0 with enough words');
    expect(
      article.description.startsWith(
        'Paragraph 0 with enough words to be readable text for the extractor to keep. Paragraph 1',
      ),
    ).toBe(true);
    expect(queries).toEqual([
      {
        categories: ['HIMSS: Digital Health'],
        text: expect.stringContaining('OG title') as string,
        limit: 5,
      },
    ]);
    expect(recorded).toEqual([job]);
  });

  it("prefers the received title and the curator's description, carried once", async () => {
    const { service, published } = setup(async () => htmlResponse(html));
    await service.processPageFetch(
      {
        ...job,
        received: {
          ...received,
          title: 'Curated title',
          descriptionHtml: '<p onclick="x()">Curated <script>bad()</script>text.</p>',
        },
      },
      { attempt: 1, maxAttempts: 5 },
    );
    const data = (published[0].event as { data: { article: Record<string, string> } }).data;
    // Carried once: the curator's HTML in descriptionHtml (sanitised downstream), not again as the body.
    expect(data.article).toEqual({
      title: 'Curated title',
      bodyHtml: '',
      description: 'Curated text.',
    });
  });

  it('throws a retryable error with the capped Retry-After while attempts remain', async () => {
    const { service, published } = setup(async () => {
      throw new SafeFetchError('http-status', 'HTTP 503', URL_, {
        status: 503,
        retryable: true,
        retryAfterMs: 600_000,
      });
    });
    const error = await service
      .processPageFetch(job, { attempt: 2, maxAttempts: 5 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableFetchError);
    expect((error as RetryableFetchError).retryAfterMs).toBe(60000);
    expect(published).toEqual([]);
  });

  it('reports item.failed on the last attempt of a retryable failure', async () => {
    const { service, published } = setup(async () => {
      throw new SafeFetchError('timeout', 'timed out', URL_, { retryable: true });
    });
    expect(await service.processPageFetch(job, { attempt: 5, maxAttempts: 5 })).toMatchObject({
      kind: 'failed',
    });
    expect(published).toEqual([
      {
        topic: Topic.ItemFailed,
        event: expect.objectContaining({
          itemId: ITEM_ID,
          revision: 3,
          data: {
            stage: 'enrichment',
            reason: expect.stringContaining('timeout') as string,
            attempts: 5,
            retryable: true,
          },
        }) as unknown,
      },
    ]);
  });

  it('fails a 404 at once without retrying', async () => {
    const { service, published } = setup(async () => {
      throw new SafeFetchError('http-status', 'HTTP 404', URL_, { status: 404, retryable: false });
    });
    expect(await service.processPageFetch(job, { attempt: 1, maxAttempts: 5 })).toEqual({
      kind: 'failed',
      reason: 'HTTP 404',
    });
    expect(published[0].topic).toBe(Topic.ItemFailed);
  });

  it('fails a PDF with a clear reason', async () => {
    const { service, published } = setup(async () => htmlResponse('%PDF-1.4', 'application/pdf'));
    const outcome = await service.processPageFetch(job, { attempt: 1, maxAttempts: 5 });
    expect(outcome).toMatchObject({
      kind: 'failed',
      reason: expect.stringContaining('application/pdf') as string,
    });
    expect((published[0].event as { data: { retryable: boolean } }).data.retryable).toBe(false);
  });

  it('returns throttled without fetching while the host is in its politeness interval', async () => {
    const fetch = jest.fn(async () => htmlResponse(html));
    const { service, published } = setup(fetch, 750);
    expect(await service.processPageFetch(job, { attempt: 1, maxAttempts: 5 })).toEqual({
      kind: 'throttled',
      delayMs: 750,
    });
    expect(fetch).not.toHaveBeenCalled();
    expect(published).toEqual([]);
  });

  it('publishes the page metadata without a body when the body runs past its extraction budget', async () => {
    const { service, published } = setup(async () => htmlResponse(html), 0, 'body-over-budget');
    expect(await service.processPageFetch(job, { attempt: 1, maxAttempts: 5 })).toEqual({
      kind: 'enriched',
      finalUrl: `${URL_}?final`,
      note: 'body: extraction budget exceeded',
    });
    const { topic, event } = published[0] as {
      topic: string;
      event: { data: { article: { title: string; bodyHtml: string }; page: { title: string } } };
    };
    expect(topic).toBe(Topic.ItemEnriched);
    expect(event.data.article).toMatchObject({ title: 'OG title', bodyHtml: '' });
    expect(event.data.page.title).toBe('Page title');
  });

  it('fails the item for good when even the metadata runs past the extraction budget', async () => {
    const { service, published } = setup(async () => htmlResponse(html), 0, 'over-budget');
    expect(await service.processPageFetch(job, { attempt: 1, maxAttempts: 5 })).toEqual({
      kind: 'failed',
      reason: 'extraction budget exceeded',
    });
    expect(published).toHaveLength(1);
    expect(published[0].topic).toBe(Topic.ItemFailed);
    expect(published[0].event).toMatchObject({
      data: { stage: 'enrichment', reason: 'extraction budget exceeded', retryable: false },
    });
  });

  it('retries an unexpected error (e.g. Kafka down) like a transient one', async () => {
    const { service } = setup(async () => {
      throw new Error('broker unavailable');
    });
    await expect(
      service.processPageFetch(job, { attempt: 1, maxAttempts: 5 }),
    ).rejects.toBeInstanceOf(RetryableFetchError);
  });
});
