export const STAGES = ['received', 'enriched', 'imaged', 'indexed'] as const;
export type Stage = (typeof STAGES)[number];

export const ITEM_STATES = ['in-progress', 'completed', 'failed', 'removed'] as const;
export type ItemState = (typeof ITEM_STATES)[number];

export interface ItemFailure {
  stage: string;
  reason: string;
  attempts: number;
  at: string;
  /** The dead-letter topic holding the message, when it was dead-lettered. */
  deadLetterTopic?: string;
}

/** Where one item is in the pipeline, rebuilt from the events it produced. */
export interface ItemStatus {
  itemId: string;
  revision: number;
  state: ItemState;
  stage: Stage | 'removed' | 'failed';
  /** When each stage completed, for the current revision. */
  stages: Partial<Record<Stage, string>>;
  /** Milliseconds from the previous stage to this one. */
  durationsMs: Partial<Record<Stage, number>>;
  lastError?: ItemFailure;
  removedReason?: string;
  url?: string;
  title?: string;
  updatedAt: string;
}
