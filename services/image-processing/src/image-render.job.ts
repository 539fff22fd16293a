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
