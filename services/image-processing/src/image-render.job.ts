import type { EventDataOf, Topic } from '@curation/contracts';

/** One BullMQ job per item revision: the enriched event, so the worker can publish `imaged` from it. */
export interface ImageRenderJob {
  itemId: string;
  revision: number;
  traceparent?: string;
  data: EventDataOf<typeof Topic.ItemEnriched>;
}

export interface JobAttempt {
  /** 1-based. */
  attempt: number;
  maxAttempts: number;
}

/**
 * The slow renditions (WebP, AVIF) of one imaged item revision, rendered from its stored main
 * rendition after `imaged` went out. Added before `imaged` is published, so a crash in between loses nothing.
 */
export interface DeferredRenditionsJob {
  itemId: string;
  revision: number;
  traceparent?: string;
  /** The source the hot path rendered from; any other source in S3 means newer work owns the item. */
  sourceSha256: string;
}
