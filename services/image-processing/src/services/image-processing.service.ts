import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  Topic,
  revisionJobId,
  type EventOf,
  type FeaturedImage,
  type ImageProblem,
  type ImageSource,
} from '@curation/contracts';
import { EventPublisher, OnEvent } from '@curation/kafka';
import {
  APP_CONFIG,
  IO_SECONDS_BUCKETS,
  pipelineCounter,
  pipelineHistogram,
} from '@curation/platform';
import { HostThrottleRepository } from '@curation/redis';
import {
  renditionsByPath,
  type ImageProcessingConfig,
  type InputFormat,
  type RenditionSpec,
} from '../config/image-processing.config';
import { putRenditions, readManifest, sha256, writeManifest } from '../image-objects';
import type { Manifest } from '../image-manifest';
import type { ImageRenderJob, JobAttempt } from '../image-render.job';
import {
  ImageFetchRepository,
  type ImageFetchRequest,
} from '../repositories/image-fetch.repository';
import { ImageRenderQueueRepository } from '../repositories/image-render-queue.repository';
import { ImageStorageRepository } from '../repositories/image-storage.repository';
import {
  MediaRepository,
  encoderSettingsFrom,
  type EncoderSettings,
} from '../repositories/media.repository';
import { DeferredRenditionsService } from './deferred-renditions.service';

const PAGE_SOURCE_ORDER: ImageSource[] = ['og:image', 'twitter:image', 'json-ld'];

interface Candidate {
  source: ImageSource;
  url: string;
  channel: ImageFetchRequest['channel'];
  wpAttachment?: { fileName: string; link: string };
}

type CandidateOutcome =
  | { ok: true; image: FeaturedImage; sourceSha256: string }
  | {
      ok: false;
      problem: ImageProblem;
      retryable: boolean;
      /** For the event and the document: never an address. */
      reason: string;
      /** For the log. */
      detail: string;
    };

type CandidateFailure = Extract<CandidateOutcome, { ok: false }> & { candidate: Candidate };

const BUDGET_EXHAUSTED = 'time budget exhausted';

/** Every candidate failed for a reason that another attempt may cure (timeout, 5xx). */
export class TransientImageSourceError extends Error {
  override readonly name = 'TransientImageSourceError';
}

const imageOutcomes = pipelineCounter({
  name: 'curation_featured_images_total',
  help: 'Featured images by outcome: rendered, or the reason there is no usable image',
  labelNames: ['outcome'] as const,
});

const renderSeconds = pipelineHistogram({
  name: 'curation_image_render_duration_seconds',
  help: 'Time to make every rendition of one image (decode, resize, encode), by outcome (ok, unusable, error)',
  labelNames: ['outcome'] as const,
  buckets: IO_SECONDS_BUCKETS,
});

@Injectable()
export class ImageProcessingService {
  private readonly logger = new Logger(ImageProcessingService.name);
  private readonly settings: EncoderSettings;
  /** What the document needs to go live; the slow formats follow in their own job. */
  private readonly hotRenditions: RenditionSpec[];
  /** Changes when anything that shapes the output changes, so stored renditions are redone. */
  private readonly settingsHash: string;
  private readonly openProjectOrigin?: string;

  // Explicit tokens: tsx/esbuild (the benchmark) emit no decorator metadata for Nest to read.
  constructor(
    @Inject(APP_CONFIG) private readonly config: ImageProcessingConfig,
    @Inject(ImageFetchRepository) private readonly fetcher: ImageFetchRepository,
    @Inject(MediaRepository) private readonly media: MediaRepository,
    @Inject(ImageStorageRepository) private readonly storage: ImageStorageRepository,
    @Inject(ImageRenderQueueRepository) private readonly queue: ImageRenderQueueRepository,
    @Inject(EventPublisher) private readonly publisher: EventPublisher,
    @Inject(HostThrottleRepository) private readonly throttle: HostThrottleRepository,
    @Inject(DeferredRenditionsService) private readonly deferred: DeferredRenditionsService,
  ) {
    this.openProjectOrigin = config.OPENPROJECT_URL
      ? new URL(config.OPENPROJECT_URL).origin
      : undefined;
    this.settings = encoderSettingsFrom(config);
    this.hotRenditions = renditionsByPath(config).hot;
    this.settingsHash = sha256(
      JSON.stringify([config.IMAGE_RENDITIONS, this.settings, config.IMAGE_FAIL_ON]),
    ).slice(0, 16);
  }

  /** One job per item revision: a redelivered event finds its job and adds nothing. */
  @OnEvent<ImageProcessingConfig>(Topic.ItemEnriched, {
    when: (config) => config.IMAGE_CONSUME_ENRICHED,
  })
  async enqueue(event: EventOf<typeof Topic.ItemEnriched>): Promise<string> {
    // A revision enriched again on purpose (relink, reextract) is new work for that revision; its
    // own redelivery still finds its job (same event id).
    const trigger = event.data.trigger ?? 'received';
    const jobId =
      trigger === 'received'
        ? revisionJobId(event.itemId, event.revision)
        : `${revisionJobId(event.itemId, event.revision)}_${trigger}_${event.id}`;
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
   * retries (the job base reports the item failed after the last one).
   */
  async render(job: ImageRenderJob, attempt: JobAttempt): Promise<FeaturedImage> {
    const featuredImage = await this.featuredImageFor(job, attempt);
    imageOutcomes.inc({
      outcome: featuredImage.valid ? 'rendered' : (featuredImage.problem ?? 'invalid'),
    });
    await this.deferred.enqueueFor(job, featuredImage);
    await this.publisher.publish(Topic.ItemImaged, {
      itemId: job.itemId,
      revision: job.revision,
      traceparent: job.traceparent,
      data: { ...job.data, featuredImage },
    });
    return featuredImage;
  }

  private async featuredImageFor(job: ImageRenderJob, attempt: JobAttempt): Promise<FeaturedImage> {
    const manifest = await readManifest(this.storage, job.itemId);
    if (manifest && manifest.revision > job.revision) {
      // A newer revision already wrote this item's renditions: describe what S3 holds, write nothing.
      this.logger.log(`${job.itemId} r${job.revision}: r${manifest.revision} already stored`);
      return manifest.featuredImage;
    }

    const { tried, notTried } = this.candidates(job);
    const deadline = Date.now() + this.config.IMAGE_CANDIDATES_BUDGET_MS;
    const failures: CandidateFailure[] = [];
    for (const candidate of tried) {
      const outcome =
        deadline - Date.now() > 0
          ? await this.tryCandidate(job.itemId, candidate, manifest, deadline)
          : budgetExhausted();
      if (outcome.ok) {
        const image = { ...outcome.image, attachmentUnused: attachmentUnused(failures) };
        await this.recordManifest(job, image, outcome.sourceSha256);
        return image;
      }
      this.logger.warn(`${job.itemId} ${candidate.source} ${candidate.url}: ${outcome.detail}`);
      failures.push({ ...outcome, candidate });
    }

    const reasons = failures.map(
      ({ candidate, reason }) => `${candidate.source} ${candidate.url}: ${reason}`,
    );
    if (notTried > 0) {
      reasons.push(
        `${notTried} more candidate(s) not tried (limit ${this.config.IMAGE_MAX_CANDIDATES})`,
      );
    }
    const reason =
      failures.length === 0
        ? 'no image: no attachment, imageUrl or page image candidate'
        : reasons.join('; ');
    if (failures.some((failure) => failure.retryable) && attempt.attempt < attempt.maxAttempts) {
      throw new TransientImageSourceError(reason);
    }
    const invalid: FeaturedImage = {
      valid: false,
      reason,
      problem: failures[0]?.problem ?? 'no-source',
      renditions: [],
      attachmentUnused: attachmentUnused(failures),
    };
    await this.recordManifest(job, invalid, undefined);
    return invalid;
  }

  /**
   * Attachment first, then the submission's imageUrl, then the page's og:image, twitter:image,
   * JSON-LD: the first IMAGE_MAX_CANDIDATES distinct URLs (a page may name thousands).
   */
  private candidates(job: ImageRenderJob): { tried: Candidate[]; notTried: number } {
    const { attachment, imageUrl, page } = job.data;
    const candidates: Candidate[] = [];
    if (attachment) {
      candidates.push({
        source: 'attachment',
        url: attachment.downloadUrl,
        channel: this.isOnOpenProject(attachment.downloadUrl) ? 'openproject' : 'public',
        wpAttachment: { fileName: attachment.fileName, link: attachment.link },
      });
    }
    if (imageUrl) candidates.push({ source: 'submission', url: imageUrl, channel: 'public' });
    const pageCandidates = [...page.imageCandidates].sort(
      (a, b) => PAGE_SOURCE_ORDER.indexOf(a.source) - PAGE_SOURCE_ORDER.indexOf(b.source),
    );
    for (const { url, source } of pageCandidates)
      candidates.push({ source, url, channel: 'public' });
    const seen = new Set<string>();
    const distinct = candidates.filter(({ url }) => !seen.has(url) && Boolean(seen.add(url)));
    const tried = distinct.slice(0, this.config.IMAGE_MAX_CANDIDATES);
    return { tried, notTried: distinct.length - tried.length };
  }

  /** Only an attachment on the OPENPROJECT_URL origin gets the API key and the private-origin allowance. */
  private isOnOpenProject(url: string): boolean {
    try {
      return this.openProjectOrigin !== undefined && new URL(url).origin === this.openProjectOrigin;
    } catch {
      return false;
    }
  }

  /** Waits for the host's politeness slot, unless that would run past the item's deadline. */
  private async waitForHost(url: string, deadline: number): Promise<boolean> {
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      // The fetch reports the bad URL.
      return true;
    }
    for (;;) {
      const waitMs = await this.throttle.reserve(host, this.config.IMAGE_FETCH_HOST_INTERVAL_MS);
      if (waitMs === 0) return true;
      if (Date.now() + waitMs >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }

  private async tryCandidate(
    itemId: string,
    candidate: Candidate,
    manifest: Manifest | undefined,
    deadline: number,
  ): Promise<CandidateOutcome> {
    if (!(await this.waitForHost(candidate.url, deadline))) return budgetExhausted();
    const fetched = await this.fetcher.fetch({
      url: candidate.url,
      channel: candidate.channel,
      timeoutMs: Math.max(1, Math.min(this.config.IMAGE_FETCH_TIMEOUT_MS, deadline - Date.now())),
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
    if (!header.ok) return { ...header, retryable: false, reason: header.detail };
    const { format, width, height } = header.header;
    if (!(this.config.IMAGE_INPUT_FORMATS as string[]).includes(format as InputFormat)) {
      const detail = `${format} is not an accepted image format`;
      return { ok: false, problem: 'unsupported-format', retryable: false, reason: detail, detail };
    }
    if (width * height > this.config.IMAGE_MAX_PIXELS) {
      const detail = `${width}x${height} exceeds ${this.config.IMAGE_MAX_PIXELS} pixels`;
      return { ok: false, problem: 'too-many-pixels', retryable: false, reason: detail, detail };
    }

    const timer = renderSeconds.startTimer();
    const rendered = await this.media
      .render(bytes, this.hotRenditions, this.settings)
      .catch((error: unknown) => {
        timer({ outcome: 'error' });
        throw error;
      });
    timer({ outcome: rendered.ok ? 'ok' : 'unusable' });
    if (!rendered.ok) return { ...rendered, retryable: false, reason: rendered.detail };
    const renditions = await putRenditions(
      this.storage,
      itemId,
      rendered.image.renditions,
      sourceSha256,
      this.config.IMAGE_CACHE_CONTROL,
    );
    const [main] = renditions;
    return {
      ok: true,
      sourceSha256,
      image: {
        valid: true,
        ...origin,
        original: { format, width, height, bytes: bytes.length, sha256: sourceSha256 },
        main,
        renditions,
        placeholder: rendered.image.placeholder,
        dominantColor: rendered.image.dominantColor,
      },
    };
  }

  private async recordManifest(
    job: ImageRenderJob,
    featuredImage: FeaturedImage,
    sourceSha256: string | undefined,
  ): Promise<void> {
    await writeManifest(this.storage, job.itemId, {
      revision: job.revision,
      sourceSha256,
      settings: this.settingsHash,
      featuredImage,
    });
  }
}

function budgetExhausted(): Extract<CandidateOutcome, { ok: false }> {
  return {
    ok: false,
    problem: 'fetch-failed',
    retryable: false,
    reason: BUDGET_EXHAUSTED,
    detail: `not tried: the item's ${BUDGET_EXHAUSTED}`,
  };
}

/** Why the work-package attachment was passed over, when it was. */
function attachmentUnused(failures: CandidateFailure[]): FeaturedImage['attachmentUnused'] {
  const failure = failures.find(({ candidate }) => candidate.source === 'attachment');
  return failure ? { problem: failure.problem, reason: failure.reason } : undefined;
}
