import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  Topic,
  revisionJobId,
  type EventOf,
  type FeaturedImage,
  type Rendition,
} from '@curation/contracts';
import { EventPublisher, OnEvent } from '@curation/kafka';
import { APP_CONFIG, pipelineCounter } from '@curation/platform';
import { renditionKey } from '@curation/storage';
import {
  renditionsByPath,
  type ImageProcessingConfig,
  type RenditionSpec,
} from '../config/image-processing.config';
import { getRendition, putRenditions, readManifest, writeManifest } from '../image-objects';
import type { DeferredRenditionsJob } from '../image-render.job';
import { ImageRenditionsQueueRepository } from '../repositories/image-renditions-queue.repository';
import { ImageStorageRepository } from '../repositories/image-storage.repository';
import {
  MediaRepository,
  encoderSettingsFrom,
  type EncoderSettings,
} from '../repositories/media.repository';

export type DeferredOutcome =
  { kind: 'done'; renditions: Rendition[] } | { kind: 'skipped'; reason: string };

const deferredOutcomes = pipelineCounter({
  name: 'curation_deferred_renditions_total',
  help: 'Slow-rendition jobs by outcome: done, or skipped because newer work or a removal owns the item',
  labelNames: ['outcome'] as const,
});

/**
 * The slow half of an item's images: WebP and AVIF, rendered after the item went live with its
 * JPEGs, then announced with `renditions-added`. They are made from the stored main rendition
 * (1000 px, JPEG q80), not the source: no second download, no copy of the source kept, and a
 * decode of ~80 KB instead of a photo of several MB; the generation loss under WebP q75 and AVIF
 * q50 is below what those encoders discard anyway (bytes measured in `npm run bench -- image`).
 */
@Injectable()
export class DeferredRenditionsService {
  private readonly logger = new Logger(DeferredRenditionsService.name);
  private readonly specs: RenditionSpec[];
  private readonly settings: EncoderSettings;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ImageProcessingConfig,
    @Inject(MediaRepository) private readonly media: MediaRepository,
    @Inject(ImageStorageRepository) private readonly storage: ImageStorageRepository,
    @Inject(ImageRenditionsQueueRepository) private readonly queue: ImageRenditionsQueueRepository,
    @Inject(EventPublisher) private readonly publisher: EventPublisher,
  ) {
    this.specs = renditionsByPath(config).deferred;
    this.settings = encoderSettingsFrom(config);
  }

  /**
   * Called before `imaged` is published: the job is in Redis before anyone can see the item, so
   * a crash in between loses nothing (the hot job reruns and finds this job by its id). It waits
   * for the item's `indexed` (or IMAGE_DEFERRED_DELAY_MS), so its `renditions-added` finds the
   * revision's document in the index.
   */
  async enqueueFor(
    item: { itemId: string; revision: number; traceparent?: string },
    image: FeaturedImage,
  ): Promise<void> {
    const sourceSha256 = image.original?.sha256;
    if (!image.valid || !sourceSha256 || this.missing(item.itemId, image).length === 0) return;
    await this.queue.add(
      deferredJobId(item.itemId, item.revision),
      { itemId: item.itemId, revision: item.revision, traceparent: item.traceparent, sourceSha256 },
      this.config.IMAGE_DEFERRED_DELAY_MS,
    );
  }

  @OnEvent<ImageProcessingConfig>(Topic.ItemIndexed, {
    when: (config) => config.IMAGE_CONSUME_ENRICHED,
  })
  async indexed(event: EventOf<typeof Topic.ItemIndexed>): Promise<void> {
    if (this.specs.length > 0) {
      await this.queue.promote(deferredJobId(event.itemId, event.revision));
    }
  }

  /** Skips when the item was removed or newer work (revision or source) owns its renditions. */
  async render(job: DeferredRenditionsJob): Promise<DeferredOutcome> {
    const outcome = await this.renderUnlessStale(job);
    deferredOutcomes.inc({ outcome: outcome.kind });
    if (outcome.kind === 'skipped') {
      this.logger.log(`${job.itemId} r${job.revision}: slow renditions skipped: ${outcome.reason}`);
      return outcome;
    }
    await this.publisher.publish(Topic.ItemRenditionsAdded, {
      itemId: job.itemId,
      revision: job.revision,
      traceparent: job.traceparent,
      data: { sourceSha256: job.sourceSha256, renditions: outcome.renditions },
    });
    return outcome;
  }

  private async renderUnlessStale(job: DeferredRenditionsJob): Promise<DeferredOutcome> {
    const manifest = await readManifest(this.storage, job.itemId);
    const stale = staleReason(job, manifest);
    if (stale || !manifest) return { kind: 'skipped', reason: stale ?? 'no manifest' };
    const image = manifest.featuredImage;
    const missing = this.missing(job.itemId, image);
    const keys = new Set(
      this.specs.map((spec) => renditionKey(job.itemId, spec.name, spec.format)),
    );
    // A retry after the renditions were stored only announces them again.
    const stored = image.renditions.filter((rendition) => keys.has(rendition.key));
    if (missing.length === 0) return { kind: 'done', renditions: stored };

    const main = image.main && (await getRendition(this.storage, image.main));
    if (!main) return { kind: 'skipped', reason: 'the main rendition is gone or replaced' };
    const rendered = await this.media.renderRenditions(main, missing, this.settings);
    if (!rendered.ok) return { kind: 'skipped', reason: rendered.detail };
    const added = await putRenditions(
      this.storage,
      job.itemId,
      rendered.renditions,
      job.sourceSha256,
      this.config.IMAGE_CACHE_CONTROL,
    );
    // Read again right before writing: the hot path of a newer revision may have written since.
    const latest = await readManifest(this.storage, job.itemId);
    if (latest && !staleReason(job, latest)) {
      const renditions = [...latest.featuredImage.renditions, ...added];
      await writeManifest(this.storage, job.itemId, {
        ...latest,
        featuredImage: { ...latest.featuredImage, renditions },
      });
    }
    return { kind: 'done', renditions: [...stored, ...added] };
  }

  private missing(itemId: string, image: FeaturedImage): RenditionSpec[] {
    const have = new Set(image.renditions.map((rendition) => rendition.key));
    return this.specs.filter((spec) => !have.has(renditionKey(itemId, spec.name, spec.format)));
  }
}

function deferredJobId(itemId: string, revision: number): string {
  return `${revisionJobId(itemId, revision)}_renditions`;
}

function staleReason(
  job: DeferredRenditionsJob,
  manifest: { revision: number; sourceSha256?: string } | undefined,
): string | undefined {
  if (!manifest) return 'the item was removed';
  if (manifest.revision > job.revision) return `r${manifest.revision} owns the renditions`;
  if (manifest.sourceSha256 !== job.sourceSha256) return 'the source image changed';
  return undefined;
}
