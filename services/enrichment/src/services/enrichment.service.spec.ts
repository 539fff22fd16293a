import {
  Topic,
  createEvent,
  type EventOf,
  type ItemReceivedData,
  type OfferingLink,
} from '@curation/contracts';
import type { EventPublisher } from '@curation/kafka';
import type { HostThrottleRepository } from '@curation/redis';
import { SafeFetchError, type SafeFetchResponse } from '@curation/safe-fetch';
import { automock } from '@curation/testing';
import { testEnrichmentConfig } from '../testing/enrichment-config.fixture';
import type { EnrichmentConfig } from '../config/enrichment.config';
import type { PageFetchJob } from '../page-fetch.job';
import type { ItemLinkRepository } from '../repositories/item-link.repository';
import type { OfferingRepository } from '../repositories/offering.repository';
import type {
  PageExtraction,
  PageExtractionRepository,
} from '../repositories/page-extraction.repository';
import type { PageFetchQueueRepository } from '../repositories/page-fetch-queue.repository';
import type { PageRepository } from '../repositories/page.repository';
import type {
  ArticleClaimRepository,
  ArticleHolder,
} from '../repositories/article-claim.repository';
import type { RawPage, RawPageRepository } from '../repositories/raw-page.repository';
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
  return automock<PageExtractionRepository>('extraction', {
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
  });
}

/** The Redis claims' semantics in memory: compare-and-set on the stored value. */
class InMemoryArticleClaims {
  readonly holders = new Map<string, string>();
  readonly articleOfItem = new Map<string, string>();

  async holder(key: string) {
    const raw = this.holders.get(this.storedKeyOf(key));
    return raw ? { raw, holder: JSON.parse(raw) as ArticleHolder } : undefined;
  }

  async compareAndSet(key: string, expected: string | undefined, holder: ArticleHolder) {
    const stored = this.storedKeyOf(key);
    if ((this.holders.get(stored) ?? '') !== (expected ?? '')) return false;
    this.holders.set(stored, JSON.stringify(holder));
    this.articleOfItem.set(holder.itemId, stored);
    return true;
  }

  async articleOf(itemId: string) {
    return this.articleOfItem.get(itemId);
  }

  async release(itemId: string, revision: number) {
    const article = this.articleOfItem.get(itemId);
    if (!article) return;
    const holder = this.holders.get(article);
    const parsed = holder ? (JSON.parse(holder) as ArticleHolder) : undefined;
    if (parsed?.itemId === itemId && parsed.revision <= revision) this.holders.delete(article);
    this.articleOfItem.delete(itemId);
  }

  storedKeyOf(key: string) {
    return `articles:${key}`;
  }
}

function setup(
  fetchResult: () => Promise<SafeFetchResponse>,
  throttleWait = 0,
  extraction?: PageExtraction['kind'],
  claims = new InMemoryArticleClaims(),
) {
  const config = testEnrichmentConfig({
    PAGE_FETCH_MAX_RETRY_AFTER_MS: '60000',
  });
  const rawPages = new Map<string, RawPage>();
  const fetches = jest.fn(fetchResult);
  const published: Array<{ topic: string; event: unknown }> = [];
  const queued: PageFetchJob[] = [];
  const recorded: PageFetchJob[] = [];
  const queries: unknown[] = [];
  const publisher = automock<EventPublisher>('publisher', {
    publish: async (topic, event) => {
      published.push({ topic, event });
      return createEvent(topic, event);
    },
  });
  const service = new EnrichmentService(
    config,
    automock<PageFetchQueueRepository>('queue', {
      add: jest.fn(async (j: PageFetchJob) => void queued.push(j)),
    }),
    automock<PageRepository>('pages', { fetch: fetches }),
    automock<HostThrottleRepository>('throttle', { reserve: jest.fn(async () => throttleWait) }),
    automock<OfferingRepository>('offerings', {
      findRelated: jest.fn(async (query: unknown) => {
        queries.push(query);
        return [offering];
      }),
    }),
    automock<ItemLinkRepository>('itemLinks', {
      record: jest.fn(async (j: PageFetchJob) => void recorded.push(j)),
      remove: jest.fn(async () => undefined),
    }),
    publisher,
    inlineExtraction(config, extraction),
    automock<RawPageRepository>('rawPages', {
      save: jest.fn(async (itemId: string, revision: number, page: RawPage) => {
        rawPages.set(`${itemId}/${revision}`, page);
      }),
      find: jest.fn(async (itemId: string, revision: number) =>
        rawPages.get(`${itemId}/${revision}`),
      ),
    }),
    automock<ArticleClaimRepository>('claims', claims),
  );
  return { service, published, queued, recorded, queries, rawPages, fetches, claims };
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
  it('queues one job per item revision', async () => {
    const { service, queued } = setup(async () => htmlResponse(html));
    const event = createEvent(Topic.ItemReceived, { itemId: ITEM_ID, revision: 3, data: received });
    await service.handleReceived(event);
    expect(queued).toEqual([
      {
        itemId: ITEM_ID,
        revision: 3,
        received,
        trigger: 'received',
        traceparent: undefined,
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
    const data = (
      published[0].event as { data: { article: Record<string, string>; descriptionHtml?: string } }
    ).data;
    // Chosen once, here: the curator's HTML, sanitised, as the body; not carried a second time.
    expect(data.article).toEqual({
      title: 'Curated title',
      bodyHtml: '<p>Curated text.</p>',
      description: 'Curated text.',
    });
    expect(data).not.toHaveProperty('descriptionHtml');
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

  it('fails a retryable failure on the last attempt, saying it was retryable', async () => {
    const { service, published } = setup(async () => {
      throw new SafeFetchError('timeout', 'timed out', URL_, { retryable: true });
    });
    expect(await service.processPageFetch(job, { attempt: 5, maxAttempts: 5 })).toEqual({
      kind: 'failed',
      reason: expect.stringContaining('timeout') as string,
      retryable: true,
    });
    // item.failed is the job base's to publish.
    expect(published).toEqual([]);
  });

  it('fails a 404 at once without retrying', async () => {
    const { service, published } = setup(async () => {
      throw new SafeFetchError('http-status', 'HTTP 404', URL_, { status: 404, retryable: false });
    });
    expect(await service.processPageFetch(job, { attempt: 1, maxAttempts: 5 })).toEqual({
      kind: 'failed',
      reason: 'HTTP 404',
      retryable: false,
    });
    expect(published).toEqual([]);
  });

  it('fails a PDF with a clear reason', async () => {
    const { service } = setup(async () => htmlResponse('%PDF-1.4', 'application/pdf'));
    const outcome = await service.processPageFetch(job, { attempt: 1, maxAttempts: 5 });
    expect(outcome).toMatchObject({
      kind: 'failed',
      reason: expect.stringContaining('application/pdf') as string,
      retryable: false,
    });
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
      retryable: false,
    });
    expect(published).toEqual([]);
  });

  it('retries an unexpected error (e.g. Kafka down) like a transient one', async () => {
    const { service } = setup(async () => {
      throw new Error('broker unavailable');
    });
    await expect(
      service.processPageFetch(job, { attempt: 1, maxAttempts: 5 }),
    ).rejects.toBeInstanceOf(RetryableFetchError);
  });

  describe('raw pages', () => {
    it('keeps the fetched page of the revision, and re-extracts from it without a fetch', async () => {
      const { service, published, rawPages, fetches } = setup(async () => htmlResponse(html));
      await service.processPageFetch(job, { attempt: 1, maxAttempts: 5 });
      expect(rawPages.get(`${ITEM_ID}/3`)).toEqual({
        url: `${URL_}?final`,
        contentType: 'text/html; charset=utf-8',
        body: Buffer.from(html),
      });

      const outcome = await service.processPageFetch(
        { ...job, trigger: 'reextract' },
        { attempt: 1, maxAttempts: 5 },
      );
      expect(outcome).toEqual({ kind: 'enriched', finalUrl: `${URL_}?final` });
      expect(fetches).toHaveBeenCalledTimes(1);
      const [first, second] = published.map(
        (each) => (each.event as { data: Record<string, unknown> }).data,
      );
      expect(second.trigger).toBe('reextract');
      expect({ ...second, trigger: 'received', enrichedAt: undefined }).toEqual({
        ...first,
        enrichedAt: undefined,
      });
    });

    it('skips a re-extraction whose revision has no stored page, publishing nothing', async () => {
      const { service, published, fetches } = setup(async () => htmlResponse(html));
      const outcome = await service.processPageFetch(
        { ...job, trigger: 'reextract' },
        { attempt: 1, maxAttempts: 5 },
      );
      expect(outcome).toEqual({ kind: 'skipped', reason: 'no stored page for this revision' });
      expect(fetches).not.toHaveBeenCalled();
      expect(published).toEqual([]);
    });
  });

  describe('one article, one document', () => {
    const canonical = 'https://www.healthcareitnews.com/news/the-article';
    const pageHtml = html.replace('<title>', `<link rel="canonical" href="${canonical}"><title>`);
    const WORK_PACKAGE_ITEM = '7b1c8a43-3f0e-5b7f-9a53-0a4d6c1e2f10';
    const SUBMISSION_ITEM = ITEM_ID;
    const workPackageJob: PageFetchJob = {
      itemId: WORK_PACKAGE_ITEM,
      revision: 12,
      received: {
        ...received,
        source: 'openproject',
        url: `${URL_}-curated`,
        workPackage: {
          id: 7614,
          baseUrl: 'https://openproject.example.org',
          lockVersion: 1,
          updatedAt: '2021-09-01T08:27:50.622Z',
          typeName: 'Curated Content',
        },
      },
      trigger: 'received',
    };
    const submissionJob: PageFetchJob = {
      ...job,
      received: { ...received, url: `${URL_}?ref=newsletter` },
    };
    const topicsOf = (published: Array<{ topic: string; event: unknown }>) =>
      published.map(({ topic, event }) => {
        const { itemId, revision, data } = event as {
          itemId: string;
          revision: number;
          data: { duplicateOf?: string };
        };
        return { topic, itemId, revision, duplicateOf: data.duplicateOf };
      });

    it('makes a submission of an article a work package publishes its duplicate', async () => {
      const claims = new InMemoryArticleClaims();
      const { service, published } = setup(
        async () => htmlResponse(pageHtml),
        0,
        undefined,
        claims,
      );
      await service.processPageFetch(workPackageJob, { attempt: 1, maxAttempts: 5 });
      const outcome = await service.processPageFetch(submissionJob, {
        attempt: 1,
        maxAttempts: 5,
      });
      expect(outcome).toEqual({ kind: 'duplicate', duplicateOf: WORK_PACKAGE_ITEM });
      expect(topicsOf(published)).toEqual([
        { topic: Topic.ItemEnriched, itemId: WORK_PACKAGE_ITEM, revision: 12 },
        {
          topic: Topic.ItemRemoved,
          itemId: SUBMISSION_ITEM,
          revision: 3,
          duplicateOf: WORK_PACKAGE_ITEM,
        },
      ]);
      // Redelivered, it decides the same.
      expect(await service.processPageFetch(submissionJob, { attempt: 1, maxAttempts: 5 })).toEqual(
        { kind: 'duplicate', duplicateOf: WORK_PACKAGE_ITEM },
      );
    });

    it('lets a work package take an article from a submission, whose document is removed', async () => {
      const { service, published } = setup(async () => htmlResponse(pageHtml));
      await service.processPageFetch(submissionJob, { attempt: 1, maxAttempts: 5 });
      await service.processPageFetch(workPackageJob, { attempt: 1, maxAttempts: 5 });
      expect(topicsOf(published)).toEqual([
        { topic: Topic.ItemEnriched, itemId: SUBMISSION_ITEM, revision: 3 },
        // One revision past the submission's, so its events still in flight cannot publish it again.
        {
          topic: Topic.ItemRemoved,
          itemId: SUBMISSION_ITEM,
          revision: 4,
          duplicateOf: WORK_PACKAGE_ITEM,
        },
        { topic: Topic.ItemEnriched, itemId: WORK_PACKAGE_ITEM, revision: 12 },
      ]);
      // The submission again, later: now a duplicate of the work package.
      expect(
        await service.processPageFetch(
          { ...submissionJob, revision: 5 },
          { attempt: 1, maxAttempts: 5 },
        ),
      ).toEqual({ kind: 'duplicate', duplicateOf: WORK_PACKAGE_ITEM });
    });

    it('publishes both of two work packages of one article (the editors decide)', async () => {
      const { service, published } = setup(async () => htmlResponse(pageHtml));
      await service.processPageFetch(workPackageJob, { attempt: 1, maxAttempts: 5 });
      await service.processPageFetch(
        { ...workPackageJob, itemId: SUBMISSION_ITEM },
        { attempt: 1, maxAttempts: 5 },
      );
      expect(topicsOf(published).map(({ topic }) => topic)).toEqual([
        Topic.ItemEnriched,
        Topic.ItemEnriched,
      ]);
      // The second is told which item publishes it already: its editors hear of it.
      const [first, second] = published.map(
        ({ event }) => event as EventOf<typeof Topic.ItemEnriched>,
      );
      expect(first.data.sameArticleAs).toBeUndefined();
      expect(second.data.sameArticleAs).toBe(WORK_PACKAGE_ITEM);
    });

    it('frees the article when its item is removed', async () => {
      const { service, published } = setup(async () => htmlResponse(pageHtml));
      await service.processPageFetch(workPackageJob, { attempt: 1, maxAttempts: 5 });
      await service.handleRemoved(
        createEvent(Topic.ItemRemoved, {
          itemId: WORK_PACKAGE_ITEM,
          revision: 13,
          data: { reason: 'operator' },
        }),
      );
      await service.processPageFetch(submissionJob, { attempt: 1, maxAttempts: 5 });
      expect(topicsOf(published).map(({ topic, itemId }) => [topic, itemId])).toEqual([
        [Topic.ItemEnriched, WORK_PACKAGE_ITEM],
        [Topic.ItemEnriched, SUBMISSION_ITEM],
      ]);
    });
  });
});
