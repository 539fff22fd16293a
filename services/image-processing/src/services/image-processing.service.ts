import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import {
  Topic,
  featuredImageSchema,
  type EventOf,
  type FeaturedImage,
  type ImageProblem,
  type ImageSource,
  type Rendition,
} from '@curation/contracts';
import { EventPublisher } from '@curation/kafka';
import { APP_CONFIG, ReadinessRegistry } from '@curation/platform';
import { Counter } from 'prom-client';
import { z } from 'zod';
import type { ImageProcessingConfig, InputFormat } from '../config/image-processing.config';
import type { ImageRenderJob, JobAttempt } from '../image-render.job';
import { ImageFetchRepository } from '../repositories/image-fetch.repository';
import { ImageRenderQueueRepository } from '../repositories/image-render-queue.repository';
import { ImageStorageRepository } from '../repositories/image-storage.repository';
import {
  MediaRepository,
  type EncoderSettings,
  type RenderedImage,
} from '../repositories/media.repository';

const CONTENT_TYPES = { jpeg: 'image/jpeg', webp: 'image/webp', avif: 'image/avif' } as const;
const PAGE_SOURCE_ORDER: ImageSource[] = ['og:image', 'twitter:image', 'json-ld'];

interface Candidate {
  source: ImageSource;
  url: string;
  authorization?: string;
  wpAttachment?: { fileName: string; link: string };
}

type CandidateOutcome =
  | { ok: true; image: FeaturedImage; sourceSha256: string }
  | { ok: false; problem: ImageProblem; retryable: boolean; detail: string };

/** What was last written for an item, so reruns and unchanged images skip the render. */
const manifestSchema = z.object({
  revision: z.number().int().nonnegative(),
  sourceSha256: z.string().optional(),
  settings: z.string(),
  featuredImage: featuredImageSchema,
});
type Manifest = z.infer<typeof manifestSchema>;

/** Every candidate failed for a reason that another attempt may cure (timeout, 5xx). */
export class TransientImageSourceError extends Error {
  override readonly name = 'TransientImageSourceError';
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

const imageOutcomes = new Counter({
  name: 'image_processing_outcomes_total',
  help: 'Featured images by outcome: rendered, or the reason there is no usable image',
  labelNames: ['outcome'] as const,
});

@Injectable()
export class ImageProcessingService implements OnModuleInit {
  private readonly logger = new Logger(ImageProcessingService.name);
  private readonly settings: EncoderSettings;
  /** Changes when anything that shapes the output changes, so stored renditions are redone. */
  private readonly settingsHash: string;

  // Explicit tokens: tsx/esbuild (the benchmark) emit no decorator metadata for Nest to read.
  constructor(
    @Inject(APP_CONFIG) private readonly config: ImageProcessingConfig,
    @Inject(ImageFetchRepository) private readonly fetcher: ImageFetchRepository,
    @Inject(MediaRepository) private readonly media: MediaRepository,
    @Inject(ImageStorageRepository) private readonly storage: ImageStorageRepository,
    @Inject(ImageRenderQueueRepository) private readonly queue: ImageRenderQueueRepository,
    @Inject(EventPublisher) private readonly publisher: EventPublisher,
    @Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry,
  ) {
    this.settings = {
      jpeg: { encoder: config.IMAGE_JPEG_ENCODER, quality: config.IMAGE_JPEG_QUALITY },
      webp: { quality: config.IMAGE_WEBP_QUALITY, effort: config.IMAGE_WEBP_EFFORT },
      avif: { quality: config.IMAGE_AVIF_QUALITY, effort: config.IMAGE_AVIF_EFFORT },
      background: config.IMAGE_BACKGROUND.toLowerCase(),
      placeholderWidth: config.IMAGE_PLACEHOLDER_WIDTH,
    };
    this.settingsHash = sha256(
      JSON.stringify([config.IMAGE_RENDITIONS, this.settings, config.IMAGE_FAIL_ON]),
    ).slice(0, 16);
  }

  async onModuleInit(): Promise<void> {
    await this.storage.ensureBucket();
    this.readiness.register('s3', () => this.storage.ensureBucket());
    this.readiness.register('redis', () => this.queue.ping());
  }

  /** One job per item revision: a redelivered event finds its job and adds nothing. */
  async enqueue(event: EventOf<typeof Topic.ItemEnriched>): Promise<string> {
    const jobId = `${event.itemId}_${event.revision}`;
    await this.queue.add(jobId, {
      itemId: event.itemId,
      revision: event.revision,
      traceparent: event.traceparent,
      data: event.data,
    });
    return jobId;
  }

  /**
   * Makes and stores the renditions, then publishes `imaged`. A bad or missing image is an
   * outcome (`valid: false` + reason); only infrastructure failures throw into the job's
   * retries, and after the last attempt the item is reported failed.
   */
  async render(job: ImageRenderJob, attempt: JobAttempt): Promise<FeaturedImage> {
    try {
      const featuredImage = await this.featuredImageFor(job, attempt);
      imageOutcomes.inc({
        outcome: featuredImage.valid ? 'rendered' : (featuredImage.problem ?? 'invalid'),
      });
      await this.publisher.publish(Topic.ItemImaged, {
        itemId: job.itemId,
        revision: job.revision,
        traceparent: job.traceparent,
        data: { ...job.data, featuredImage },
      });
      return featuredImage;
    } catch (error) {
      if (attempt.attempt >= attempt.maxAttempts) {
        await this.publisher.publish(Topic.ItemFailed, {
          itemId: job.itemId,
          revision: job.revision,
          traceparent: job.traceparent,
          data: {
            stage: 'image-processing',
            reason: (error as Error).message || String(error),
            attempts: attempt.attempt,
            retryable: false,
          },
        });
      }
      throw error;
    }
  }

  private async featuredImageFor(job: ImageRenderJob, attempt: JobAttempt): Promise<FeaturedImage> {
    const manifest = await this.readManifest(job.itemId);
    if (manifest && manifest.revision > job.revision) {
      // A newer revision already wrote this item's renditions: describe what S3 holds, write nothing.
      this.logger.log(`${job.itemId} r${job.revision}: r${manifest.revision} already stored`);
      return manifest.featuredImage;
    }

    const failures: Array<Extract<CandidateOutcome, { ok: false }> & { candidate: Candidate }> = [];
    for (const candidate of this.candidates(job)) {
      const outcome = await this.tryCandidate(job.itemId, candidate, manifest);
      if (outcome.ok) {
        await this.writeManifest(job, outcome.image, outcome.sourceSha256);
        return outcome.image;
      }
      this.logger.warn(`${job.itemId} ${candidate.source} ${candidate.url}: ${outcome.detail}`);
      failures.push({ ...outcome, candidate });
    }

    const reason =
      failures.length === 0
        ? 'no image: no attachment, imageUrl or page image candidate'
        : failures
            .map(({ candidate, detail }) => `${candidate.source} ${candidate.url}: ${detail}`)
            .join('; ');
    if (failures.some((failure) => failure.retryable) && attempt.attempt < attempt.maxAttempts) {
      throw new TransientImageSourceError(reason);
    }
    const invalid: FeaturedImage = {
      valid: false,
      reason,
      problem: failures[0]?.problem ?? 'no-source',
      renditions: [],
    };
    await this.writeManifest(job, invalid, undefined);
    return invalid;
  }

  /** Attachment first, then the submission's imageUrl, then the page's og:image, twitter:image, JSON-LD. */
  private candidates(job: ImageRenderJob): Candidate[] {
    const { attachment, imageUrl, page } = job.data;
    const candidates: Candidate[] = [];
    if (attachment) {
      candidates.push({
        source: 'attachment',
        url: attachment.downloadUrl,
        authorization: this.config.OPENPROJECT_API_KEY
          ? `Basic ${Buffer.from(`apikey:${this.config.OPENPROJECT_API_KEY}`).toString('base64')}`
          : undefined,
        wpAttachment: { fileName: attachment.fileName, link: attachment.link },
      });
    }
    if (imageUrl) candidates.push({ source: 'submission', url: imageUrl });
    const pageCandidates = [...page.imageCandidates].sort(
      (a, b) => PAGE_SOURCE_ORDER.indexOf(a.source) - PAGE_SOURCE_ORDER.indexOf(b.source),
    );
    for (const { url, source } of pageCandidates) candidates.push({ source, url });
    return candidates.filter(
      (candidate, index) => candidates.findIndex(({ url }) => url === candidate.url) === index,
    );
  }

  private async tryCandidate(
    itemId: string,
    candidate: Candidate,
    manifest: Manifest | undefined,
  ): Promise<CandidateOutcome> {
    const fetched = await this.fetcher.fetch({
      url: candidate.url,
      authorization: candidate.authorization,
    });
    if (!fetched.ok) return fetched;
    const bytes = fetched.bytes;
    const sourceSha256 = sha256(bytes);
    const origin = {
      source: candidate.source,
      sourceUrl: candidate.url,
      wpAttachment: candidate.wpAttachment,
    };

    if (
      manifest?.featuredImage.valid &&
      manifest.sourceSha256 === sourceSha256 &&
      manifest.settings === this.settingsHash
    ) {
      return { ok: true, image: { ...manifest.featuredImage, ...origin }, sourceSha256 };
    }

    const header = await this.media.readHeader(bytes);
    if (!header.ok) return { ...header, retryable: false };
    const { format, width, height } = header.header;
    if (!(this.config.IMAGE_INPUT_FORMATS as string[]).includes(format as InputFormat)) {
      return {
        ok: false,
        problem: 'unsupported-format',
        retryable: false,
        detail: `${format} is not an accepted image format`,
      };
    }
    if (width * height > this.config.IMAGE_MAX_PIXELS) {
      return {
        ok: false,
        problem: 'too-many-pixels',
        retryable: false,
        detail: `${width}x${height} exceeds ${this.config.IMAGE_MAX_PIXELS} pixels`,
      };
    }

    const rendered = await this.media.render(bytes, this.config.IMAGE_RENDITIONS, this.settings);
    if (!rendered.ok) return { ...rendered, retryable: false };
    const renditions = await this.store(itemId, rendered.image, sourceSha256);
    const [main] = renditions;
    return {
      ok: true,
      sourceSha256,
      image: {
        valid: true,
        ...origin,
        original: { format, width, height, bytes: bytes.length, sha256: sourceSha256 },
        href: main.key,
        format: main.format.toUpperCase(),
        size: [main.height, main.width],
        main,
        renditions,
        placeholder: rendered.image.placeholder,
        dominantColor: rendered.image.dominantColor,
      },
    };
  }

  /** Deterministic keys; a rerun writes identical bytes over them. */
  private async store(
    itemId: string,
    image: RenderedImage,
    sourceSha256: string,
  ): Promise<Rendition[]> {
    return Promise.all(
      image.renditions.map(async ({ spec, width, height, data }) => {
        const rendition: Rendition = {
          name: spec.name,
          key: `${itemId}-${spec.name}.${spec.format}`,
          format: spec.format,
          contentType: CONTENT_TYPES[spec.format],
          width,
          height,
          bytes: data.length,
          sha256: sha256(data),
        };
        await this.storage.put({
          key: rendition.key,
          body: data,
          contentType: rendition.contentType,
          cacheControl: this.config.IMAGE_CACHE_CONTROL,
          metadata: { sha256: rendition.sha256, 'source-sha256': sourceSha256 },
        });
        return rendition;
      }),
    );
  }

  private manifestKey(itemId: string): string {
    return `image-manifests/${itemId}.json`;
  }

  private async readManifest(itemId: string): Promise<Manifest | undefined> {
    const text = await this.storage.getText(this.manifestKey(itemId));
    if (text === undefined) return undefined;
    try {
      const parsed = manifestSchema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : undefined;
    } catch {
      // An unreadable manifest only costs a fresh render.
      return undefined;
    }
  }

  private async writeManifest(
    job: ImageRenderJob,
    featuredImage: FeaturedImage,
    sourceSha256: string | undefined,
  ): Promise<void> {
    const manifest: Manifest = {
      revision: job.revision,
      sourceSha256,
      settings: this.settingsHash,
      featuredImage,
    };
    await this.storage.put({
      key: this.manifestKey(job.itemId),
      body: JSON.stringify(manifest),
      contentType: 'application/json',
      cacheControl: 'no-store',
    });
  }
}
