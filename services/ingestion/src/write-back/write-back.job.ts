/** The three outcomes editors hear about, one comment each per revision. */
export type WriteBackOutcome = 'published' | 'failed' | 'removed';

/** One comment to add: composed when the outcome is known, posted by the write-back queue. */
export interface WriteBackJob {
  itemId: string;
  revision: number;
  outcome: WriteBackOutcome;
  workPackageId: number;
  comment: string;
  /** When the outcome was first queued (ms): the retry budget counts from here. */
  queuedAtMs: number;
}

/** BullMQ refuses `:` in custom ids. */
export function writeBackJobId(
  itemId: string,
  revision: number,
  outcome: WriteBackOutcome,
): string {
  return `${itemId}_${revision}_${outcome}`;
}
