/** Milestones an item reaches, in order, for one revision. */
export const STAGES = ['received', 'enriched', 'imaged', 'indexed'] as const;
export type Stage = (typeof STAGES)[number];

/** The pipeline stages that can fail: the service doing the work. */
export const FAILING_STAGES = [
  'ingestion',
  'enrichment',
  'image-processing',
  'search-indexing',
] as const;
export type FailingStage = (typeof FAILING_STAGES)[number];

/** `duplicate`: not published because another item publishes the same article (`duplicateOf`). */
export const ITEM_STATES = ['in-progress', 'completed', 'failed', 'removed', 'duplicate'] as const;
export type ItemState = (typeof ITEM_STATES)[number];

/** Why the current attempt stopped; the same shape whichever channel reported it. */
export interface ItemFailure {
  stage: FailingStage;
  reason: string;
  attempts: number;
  at: string;
  /** The dead-letter topic holding the message, when it was dead-lettered. */
  deadLetterTopic?: string;
}

/** Where one item is in the pipeline, rebuilt from the events it produced. */
export interface ItemStatus {
  itemId: string;
  /** The revision this status describes: a newer submission or change starts a new one. */
  revision: number;
  /** The OpenProject work package the item comes from, when it does. */
  workPackageId?: number;
  state: ItemState;
  /**
   * `in-progress`/`completed`: the last milestone reached; `failed`: the stage that failed;
   * `removed` and `duplicate`: `removed`.
   */
  stage: Stage | FailingStage | 'removed';
  /** 1 for the first run of this revision, +1 for every operator retry. */
  attempt: number;
  /** When the current attempt was started by a retry. */
  retriedAt?: string;
  /** When each stage completed, for the current revision. */
  stages: Partial<Record<Stage, string>>;
  /** Milliseconds from the previous stage to this one. */
  durationsMs: Partial<Record<Stage, number>>;
  lastError?: ItemFailure;
  removedReason?: string;
  removedAt?: string;
  /** State `duplicate`: the item that publishes the same article. */
  duplicateOf?: string;
  url?: string;
  title?: string;
  updatedAt: string;
}
