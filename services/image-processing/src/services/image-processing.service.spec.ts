import { loadConfig } from '@curation/config';
import {
  Topic,
  createEvent,
  type EventOf,
  type FeaturedImage,
  type NewEvent,
} from '@curation/contracts';
import type { EventPublisher } from '@curation/kafka';
import type { HostThrottleRepository } from '@curation/redis';
import type { StoredObject } from '@curation/storage';
import { automock } from '@curation/testing';
import { photoJpeg } from '@curation/testing/photo-images';
import sharp from 'sharp';
import { imageProcessingConfigSchema } from '../config/image-processing.config';
import type { DeferredRenditionsJob, ImageRenderJob } from '../image-render.job';
import {
  ImageFetchRepository,
  type ImageFetchRequest,
  type ImageFetchResult,
} from '../repositories/image-fetch.repository';
import type { ImageRenderQueueRepository } from '../repositories/image-render-queue.repository';
import type { ImageRenditionsQueueRepository } from '../repositories/image-renditions-queue.repository';
import type { ImageStorageRepository } from '../repositories/image-storage.repository';
import { MediaRepository } from '../repositories/media.repository';
import { DeferredRenditionsService } from './deferred-renditions.service';
import { ImageProcessingService, TransientImageSourceError } from './image-processing.service';

const ITEM_ID = '5a8dda31-0971-5453-a590-1bd555012667';

const environment = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  REDIS_URL: 'redis://127.0.0.1:6379',
  S3_ENDPOINT: 'http://127.0.0.1:9000',
  S3_ACCESS_KEY_ID: 'key',
  S3_SECRET_ACCESS_KEY: 'secret',
  OPENPROJECT_URL: 'https://op.example',
  OPENPROJECT_API_KEY: 'op-key',
  IMAGE_RENDITIONS: 'featuredImage:1000:jpeg,thumbnail:320:webp',
  IMAGE_JPEG_ENCODER: 'turbo',
  // Most cases here run with the slow path on: the WebP thumbnail follows with `renditions-added`.
  IMAGE_DEFERRED_FORMATS: 'webp',
};
const config = loadConfig(imageProcessingConfigSchema, environment);

class FakeFetcher extends ImageFetchRepository {
  readonly requests: ImageFetchRequest[] = [];
  constructor(private readonly answers: Record<string, ImageFetchResult>) {
    super();
  }
  async fetch(request: ImageFetchRequest): Promise<ImageFetchResult> {
    this.requests.push(request);
    return (
      this.answers[request.url] ?? {
        ok: false,
        problem: 'fetch-failed',
        retryable: false,
        reason: 'HTTP 404',
        detail: 'http-status: HTTP 404',
      }
    );
  }
}

class FakeStorage {
  readonly objects = new Map<string, StoredObject>();
  failing = false;
  async ensureBucket(): Promise<void> {}
  async put(object: StoredObject): Promise<void> {
    if (this.failing) throw new Error('S3 is down');
    this.objects.set(object.key, object);
  }
  async get(key: string): Promise<Buffer | undefined> {
    if (this.failing) throw new Error('S3 is down');
    const body = this.objects.get(key)?.body;
    return body === undefined ? undefined : Buffer.from(body);
  }
  async getText(key: string): Promise<string | undefined> {
    return (await this.get(key))?.toString();
  }
}

/** The slow queue in memory: what was added, in order, with the ids BullMQ would dedupe on. */
class FakeRenditionsQueue {
  readonly jobs = new Map<string, DeferredRenditionsJob>();
  readonly add = jest.fn(async (jobId: string, job: DeferredRenditionsJob) => {
    if (!this.jobs.has(jobId)) this.jobs.set(jobId, job);
  });
  readonly promote = jest.fn(async () => undefined);
}

class FakePublisher {
  readonly published: Array<{ topic: string; event: unknown }> = [];
  async publish<T extends Topic>(topic: T, event: NewEvent<T>): Promise<EventOf<T>> {
    // Validates exactly as the real publisher does before producing.
    const built = createEvent(topic, event);
    this.published.push({ topic, event: built });
    return built;
  }
}

function enriched(overrides: Partial<ImageRenderJob['data']> = {}, revision = 3): ImageRenderJob {
  return {
    itemId: ITEM_ID,
    revision,
    data: {
      source: 'openproject',
      url: 'https://www.healthcareitnews.com/news/emea/nhsx',
      originalUrl: 'https://www.healthcareitnews.com/news/emea/nhsx',
      topics: ['HIMSS: Digital Health'],
      updatedAt: '2021-09-01T08:27:50.622Z',
      customFields: {},
      page: {
        finalUrl: 'https://www.healthcareitnews.com/news/emea/nhsx',
        htmlMetaData: {},
        openGraphMetaData: {},
        twitterMetaData: {},
        authors: [],
        imageCandidates: [
          { url: 'https://img.example/json-ld.jpg', source: 'json-ld' },
          { url: 'https://img.example/twitter.jpg', source: 'twitter:image' },
          { url: 'https://img.example/og.jpg', source: 'og:image' },
        ],
      },
      article: { title: 'NHSX sets out digital guidance', bodyHtml: '<p>x</p>', description: 'x' },
      derived: { brand: 'healthcareitnews.com', slug: 'healthcareitnews-nhsx' },
      relatedOfferings: [],
      ...overrides,
    },
  };
}

const attachment = {
  id: 16644,
  fileName: 'Curated_Featured_Image.jpg',
  contentType: 'image/jpeg',
  fileSize: 1234,
  link: '/api/v3/attachments/16644/content',
  downloadUrl: 'https://op.example/api/v3/attachments/16644/content',
};

describe('ImageProcessingService', () => {
  let photo: Buffer;
  beforeAll(async () => {
    photo = await photoJpeg(1500, 999);
  });

  function build(answers: Record<string, ImageFetchResult>, settings = config) {
    const fetcher = new FakeFetcher(answers);
    const media = new MediaRepository(settings);
    const renders = jest.spyOn(media, 'render');
    const storage = new FakeStorage();
    const publisher = new FakePublisher();
    const queue = automock<ImageRenderQueueRepository>('queue');
    queue.add.mockResolvedValue(undefined);
    const throttle = automock<HostThrottleRepository>('throttle');
    throttle.reserve.mockResolvedValue(0);
    const renditionsQueue = new FakeRenditionsQueue();
    const storageMock = automock<ImageStorageRepository>('storage', storage);
    const publisherMock = automock<EventPublisher>('publisher', publisher);
    const deferred = new DeferredRenditionsService(
      settings,
      media,
      storageMock,
      automock<ImageRenditionsQueueRepository>('renditionsQueue', renditionsQueue),
      publisherMock,
    );
    const service = new ImageProcessingService(
      settings,
      fetcher,
      media,
      storageMock,
      queue,
      publisherMock,
      throttle,
      deferred,
    );
    return {
      service,
      fetcher,
      storage,
      publisher,
      queue,
      renders,
      throttle,
      deferred,
      renditionsQueue,
    };
  }

  const ok = (bytes: Buffer, url: string): ImageFetchResult => ({ ok: true, url, bytes });
  const lastAttempt = { attempt: 3, maxAttempts: 3 };
  const firstAttempt = { attempt: 1, maxAttempts: 3 };

  it('renders the attachment, downloaded with the API key, and publishes imaged as the document needs it', async () => {
    const { service, fetcher, storage, publisher } = build({
      [attachment.downloadUrl]: ok(photo, attachment.downloadUrl),
    });
    const image = await service.render(enriched({ attachment }), firstAttempt);

    expect(fetcher.requests).toEqual([
      { url: attachment.downloadUrl, channel: 'openproject', timeoutMs: expect.any(Number) },
    ]);
    expect(image).toMatchObject({
      valid: true,
      source: 'attachment',
      main: { key: `${ITEM_ID}-featuredImage.jpeg`, format: 'jpeg', width: 1000, height: 666 },
      wpAttachment: {
        fileName: 'Curated_Featured_Image.jpg',
        link: '/api/v3/attachments/16644/content',
      },
      original: { format: 'jpeg', width: 1500, height: 999, bytes: photo.length },
    });
    // The WebP thumbnail is a slow format: it follows with `renditions-added`.
    expect(image.renditions.map(({ key, width, height }) => [key, width, height])).toEqual([
      [`${ITEM_ID}-featuredImage.jpeg`, 1000, 666],
    ]);

    const stored = storage.objects.get(`${ITEM_ID}-featuredImage.jpeg`)!;
    expect(stored.contentType).toBe('image/jpeg');
    expect(stored.cacheControl).toMatch(/max-age=\d+/);
    expect(stored.metadata?.sha256).toBe(image.main?.sha256);
    expect((await sharp(stored.body as Buffer).metadata()).width).toBe(1000);

    expect(publisher.published).toHaveLength(1);
    const event = publisher.published[0].event as EventOf<typeof Topic.ItemImaged>;
    expect(publisher.published[0].topic).toBe(Topic.ItemImaged);
    expect(event).toMatchObject({ itemId: ITEM_ID, revision: 3 });
    expect(event.data.featuredImage).toEqual(image);
    expect(event.data.article.title).toBe('NHSX sets out digital guidance');
  });

  it('by default renders every format in the one job: imaged names them all, and no slow job is queued', async () => {
    const everyFormatAtOnce = loadConfig(imageProcessingConfigSchema, {
      ...environment,
      IMAGE_DEFERRED_FORMATS: undefined,
    });
    const { service, publisher, storage, renditionsQueue } = build(
      { [attachment.downloadUrl]: ok(photo, attachment.downloadUrl) },
      everyFormatAtOnce,
    );
    const image = await service.render(enriched({ attachment }), firstAttempt);
    expect(image.renditions.map(({ key, width }) => [key, width])).toEqual([
      [`${ITEM_ID}-featuredImage.jpeg`, 1000],
      [`${ITEM_ID}-thumbnail.webp`, 320],
    ]);
    const thumbnail = storage.objects.get(`${ITEM_ID}-thumbnail.webp`)!;
    expect(await sharp(thumbnail.body as Buffer).metadata()).toMatchObject({
      format: 'webp',
      width: 320,
    });
    expect(renditionsQueue.add).not.toHaveBeenCalled();
    expect(publisher.published.map(({ topic }) => topic)).toEqual([Topic.ItemImaged]);
  });

  it('falls back from a broken attachment to imageUrl, then og:image before twitter:image and JSON-LD', async () => {
    const { service, fetcher } = build({
      'https://img.example/og.jpg': ok(photo, 'https://img.example/og.jpg'),
    });
    const image = await service.render(
      enriched({ attachment, imageUrl: 'https://img.example/submitted.jpg' }),
      firstAttempt,
    );
    expect(fetcher.requests.map(({ url }) => url)).toEqual([
      attachment.downloadUrl,
      'https://img.example/submitted.jpg',
      'https://img.example/og.jpg',
    ]);
    expect(image).toMatchObject({
      valid: true,
      source: 'og:image',
      attachmentUnused: { problem: 'fetch-failed', reason: 'HTTP 404' },
    });
    expect(image.wpAttachment).toBeUndefined();
  });

  it('credentials only where they belong: an attachment on another origin than OPENPROJECT_URL is fetched as any public image', async () => {
    const elsewhere = {
      ...attachment,
      downloadUrl: 'https://op.example:8443/api/v3/attachments/1/content',
    };
    const { service, fetcher } = build({});
    await service.render(enriched({ attachment: elsewhere }), lastAttempt);
    expect(fetcher.requests[0]).toMatchObject({ url: elsewhere.downloadUrl, channel: 'public' });
    expect(fetcher.requests.slice(1).every(({ channel }) => channel === 'public')).toBe(true);
  });

  it('image candidates: tries at most IMAGE_MAX_CANDIDATES distinct URLs of a page naming 1,000, and says how many were left', async () => {
    const { service, fetcher } = build({});
    const imageCandidates = Array.from({ length: 1000 }, (_, n) => ({
      url: `https://img.example/${n % 999}.jpg`,
      source: 'json-ld' as const,
    }));
    const image = await service.render(
      enriched({ attachment, page: { ...enriched().data.page, imageCandidates } }),
      lastAttempt,
    );
    expect(fetcher.requests.map(({ url }) => url)).toEqual([
      attachment.downloadUrl,
      'https://img.example/0.jpg',
      'https://img.example/1.jpg',
      'https://img.example/2.jpg',
      'https://img.example/3.jpg',
    ]);
    expect(image).toMatchObject({ valid: false, problem: 'fetch-failed' });
    expect(image.reason).toContain('995 more candidate(s) not tried (limit 5)');
  });

  it('image candidates: per-host politeness waits for the slot, and a wait past the item budget ends the candidate', async () => {
    const { service, fetcher, throttle } = build({});
    throttle.reserve
      .mockResolvedValueOnce(30)
      .mockResolvedValueOnce(0)
      .mockResolvedValue(10 * 60_000);
    const image = await service.render(enriched(), lastAttempt);
    expect(throttle.reserve).toHaveBeenCalledWith(
      'img.example',
      config.IMAGE_FETCH_HOST_INTERVAL_MS,
    );
    expect(fetcher.requests.map(({ url }) => url)).toEqual(['https://img.example/og.jpg']);
    expect(image.reason).toContain(
      'twitter:image https://img.example/twitter.jpg: time budget exhausted',
    );
  });

  it('lets an item without an image flow on with the reason', async () => {
    const { service, publisher } = build({});
    const image = await service.render(
      enriched({ page: { ...enriched().data.page, imageCandidates: [] } }),
      firstAttempt,
    );
    expect(image).toEqual({
      valid: false,
      problem: 'no-source',
      reason: expect.stringMatching(/no image/),
      renditions: [],
    });
    expect(publisher.published.map(({ topic }) => topic)).toEqual([Topic.ItemImaged]);
  });

  it('gives every candidate its reason when none is usable, without failing the item', async () => {
    const html = Buffer.from('<!doctype html><title>not an image</title>');
    const { service, publisher } = build({
      'https://img.example/og.jpg': ok(html, 'https://img.example/og.jpg'),
      'https://img.example/twitter.jpg': {
        ok: false,
        problem: 'too-large',
        retryable: false,
        reason: 'too large',
        detail: 'too-large: body exceeds 26214400 bytes',
      },
    });
    const image = await service.render(enriched(), firstAttempt);
    expect(image).toMatchObject({ valid: false, problem: 'unsupported-format' });
    expect(image.reason).toContain('og:image https://img.example/og.jpg: Input buffer contains');
    expect(image.reason).toContain('twitter:image https://img.example/twitter.jpg: too large');
    expect(image.reason).toContain('json-ld https://img.example/json-ld.jpg: HTTP 404');
    expect(publisher.published.map(({ topic }) => topic)).toEqual([Topic.ItemImaged]);
  });

  it('retries a transient source failure while attempts remain, then gives up with the reason', async () => {
    const stalled: ImageFetchResult = {
      ok: false,
      problem: 'fetch-failed',
      retryable: true,
      reason: 'timeout',
      detail: 'timeout: timed out',
    };
    const { service, publisher } = build({ 'https://img.example/og.jpg': stalled });
    const job = enriched();
    await expect(service.render(job, firstAttempt)).rejects.toBeInstanceOf(
      TransientImageSourceError,
    );
    expect(publisher.published).toHaveLength(0);
    const image = await service.render(job, lastAttempt);
    expect(image).toMatchObject({ valid: false, problem: 'fetch-failed' });
    expect(publisher.published.map(({ topic }) => topic)).toEqual([Topic.ItemImaged]);
  });

  it('refuses an image over the pixel limit from its header, without rendering', async () => {
    const { service, renders } = build({
      'https://img.example/og.jpg': ok(
        await sharp({ create: { width: 7100, height: 7100, channels: 3, background: '#888' } })
          .jpeg()
          .toBuffer(),
        'https://img.example/og.jpg',
      ),
    });
    const image = await service.render(enriched(), lastAttempt);
    expect(image.reason).toContain('7100x7100 exceeds 50000000 pixels');
    expect(image.problem).toBe('too-many-pixels');
    expect(renders).not.toHaveBeenCalled();
  });

  it('does not render again for a new revision with the same image, but publishes it again', async () => {
    const { service, renders, publisher, storage } = build({
      'https://img.example/og.jpg': ok(photo, 'https://img.example/og.jpg'),
    });
    const first = await service.render(enriched({}, 3), firstAttempt);
    const keys = [...storage.objects.keys()];
    const second = await service.render(enriched({}, 4), firstAttempt);
    expect(renders).toHaveBeenCalledTimes(1);
    expect(second).toEqual(first);
    expect([...storage.objects.keys()]).toEqual(keys);
    expect(
      publisher.published.map(({ event }) => (event as EventOf<typeof Topic.ItemImaged>).revision),
    ).toEqual([3, 4]);
  });

  it('renders again when the image changed', async () => {
    const other = await photoJpeg(1200, 800, 5);
    const answers: Record<string, ImageFetchResult> = {
      'https://img.example/og.jpg': ok(photo, 'https://img.example/og.jpg'),
    };
    const { service, renders } = build(answers);
    await service.render(enriched({}, 3), firstAttempt);
    answers['https://img.example/og.jpg'] = ok(other, 'https://img.example/og.jpg');
    const image = await service.render(enriched({}, 4), firstAttempt);
    expect(renders).toHaveBeenCalledTimes(2);
    expect(image.main).toMatchObject({ width: 1000, height: 667 });
  });

  it('leaves the renditions of a newer revision alone when an older job runs late', async () => {
    const { service, storage, fetcher } = build({
      'https://img.example/og.jpg': ok(photo, 'https://img.example/og.jpg'),
    });
    const newer: FeaturedImage = await service.render(enriched({}, 5), firstAttempt);
    const puts = storage.objects.size;
    const older = await service.render(enriched({}, 4), firstAttempt);
    expect(older).toEqual(newer);
    expect(fetcher.requests).toHaveLength(1);
    expect(storage.objects.size).toBe(puts);
  });

  it('throws an S3 failure into the retries (the job base reports the item failed)', async () => {
    const { service, storage, publisher } = build({
      'https://img.example/og.jpg': ok(photo, 'https://img.example/og.jpg'),
    });
    storage.failing = true;
    await expect(service.render(enriched(), firstAttempt)).rejects.toThrow('S3 is down');
    await expect(service.render(enriched(), lastAttempt)).rejects.toThrow('S3 is down');
    expect(publisher.published).toHaveLength(0);
  });

  it('enqueues one job per item revision', async () => {
    const { service, queue } = build({});
    const event = createEvent(Topic.ItemEnriched, {
      itemId: ITEM_ID,
      revision: 7,
      data: enriched().data,
    });
    await expect(service.enqueue(event)).resolves.toBe(`${ITEM_ID}_7`);
    expect(queue.add).toHaveBeenCalledWith(`${ITEM_ID}_7`, {
      itemId: ITEM_ID,
      revision: 7,
      traceparent: undefined,
      data: event.data,
    });
  });

  describe('the slow renditions', () => {
    const sourceUrl = 'https://img.example/og.jpg';

    it('are queued before imaged is published, then rendered from the stored source and announced', async () => {
      const { service, deferred, renditionsQueue, publisher, storage } = build({
        [sourceUrl]: ok(photo, sourceUrl),
      });
      const order: string[] = [];
      renditionsQueue.add.mockImplementationOnce(async (jobId, job) => {
        order.push(`queued ${jobId}`);
        renditionsQueue.jobs.set(jobId, job);
      });
      const publish = publisher.publish.bind(publisher);
      jest.spyOn(publisher, 'publish').mockImplementation(async (topic, event) => {
        order.push(`published ${topic}`);
        return publish(topic, event);
      });

      const image = await service.render(enriched({}, 3), firstAttempt);
      expect(order).toEqual([`queued ${ITEM_ID}_3_renditions`, `published ${Topic.ItemImaged}`]);
      const job = renditionsQueue.jobs.get(`${ITEM_ID}_3_renditions`)!;
      expect(job).toEqual({
        itemId: ITEM_ID,
        revision: 3,
        traceparent: undefined,
        sourceSha256: image.original!.sha256,
      });
      expect(storage.objects.has(`${ITEM_ID}-thumbnail.webp`)).toBe(false);

      const outcome = await deferred.render(job);
      expect(outcome).toMatchObject({ kind: 'done' });
      const thumbnail = storage.objects.get(`${ITEM_ID}-thumbnail.webp`)!;
      expect(thumbnail.contentType).toBe('image/webp');
      expect(await sharp(thumbnail.body as Buffer).metadata()).toMatchObject({ width: 320 });
      const added = publisher.published.at(-1)!;
      expect(added.topic).toBe(Topic.ItemRenditionsAdded);
      expect(added.event).toMatchObject({
        itemId: ITEM_ID,
        revision: 3,
        data: {
          sourceSha256: image.original!.sha256,
          renditions: [{ key: `${ITEM_ID}-thumbnail.webp`, format: 'webp', width: 320 }],
        },
      });

      // A redelivered job announces the same renditions again without rendering them again.
      const renders = jest.spyOn(MediaRepository.prototype, 'renderRenditions');
      await expect(deferred.render(job)).resolves.toEqual(outcome);
      expect(renders).not.toHaveBeenCalled();
    });

    it('are not queued again for a new revision with the same image once they are stored', async () => {
      const { service, deferred, renditionsQueue } = build({ [sourceUrl]: ok(photo, sourceUrl) });
      await service.render(enriched({}, 3), firstAttempt);
      await deferred.render(renditionsQueue.jobs.get(`${ITEM_ID}_3_renditions`)!);
      const next = await service.render(enriched({}, 4), firstAttempt);
      expect(next.renditions.map(({ key }) => key)).toEqual([
        `${ITEM_ID}-featuredImage.jpeg`,
        `${ITEM_ID}-thumbnail.webp`,
      ]);
      expect([...renditionsQueue.jobs.keys()]).toEqual([`${ITEM_ID}_3_renditions`]);
    });

    it('are skipped, writing and announcing nothing, when a newer revision owns the item or it was removed', async () => {
      const { service, deferred, renditionsQueue, publisher, storage } = build({
        [sourceUrl]: ok(photo, sourceUrl),
      });
      await service.render(enriched({}, 3), firstAttempt);
      await service.render(enriched({}, 4), firstAttempt);
      const published = publisher.published.length;
      const older = renditionsQueue.jobs.get(`${ITEM_ID}_3_renditions`)!;
      await expect(deferred.render(older)).resolves.toEqual({
        kind: 'skipped',
        reason: 'r4 owns the renditions',
      });

      storage.objects.delete(`image-manifests/${ITEM_ID}.json`);
      const newer = renditionsQueue.jobs.get(`${ITEM_ID}_4_renditions`)!;
      await expect(deferred.render(newer)).resolves.toMatchObject({ kind: 'skipped' });
      expect(storage.objects.has(`${ITEM_ID}-thumbnail.webp`)).toBe(false);
      expect(publisher.published).toHaveLength(published);
    });

    it('starts as soon as the item is indexed', async () => {
      const { deferred, renditionsQueue } = build({});
      await deferred.indexed(
        createEvent(Topic.ItemIndexed, {
          itemId: ITEM_ID,
          revision: 3,
          data: {
            index: 'curated',
            documentKey: `${ITEM_ID}.md`,
            bucket: 'b',
            path: '/x',
            url: 'https://a.example/x',
          },
        }),
      );
      expect(renditionsQueue.promote).toHaveBeenCalledWith(`${ITEM_ID}_3_renditions`);
    });
  });
});
