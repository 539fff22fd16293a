import { Inject } from '@nestjs/common';
import type { ItemFailedData } from '@curation/contracts';
import { DrainingWorkerHost } from '@curation/platform';
import { DelayedError, UnrecoverableError, WaitingChildrenError, type Job } from 'bullmq';
import { EventPublisher } from './event-publisher';
import { publishItemFailed, type FailedItem } from './item-failed';

/**
 * How one stage's job for one item ended; anything thrown instead is retried by BullMQ. `Done` is
 * what the job returns (kept on the job, shown on the queue dashboard).
 */
export type StageOutcome<Done = { kind: 'done' }> =
  Done | { kind: 'skipped'; reason: string } | StageFailure;

export interface StageFailure {
  kind: 'failed';
  reason: string;
  /** Whether the cause was of a kind another attempt might cure (the attempts are spent all the same). */
  retryable: boolean;
}

export interface JobAttempt {
  attempt: number;
  maxAttempts: number;
}

/**
 * The one failure path of a stage's BullMQ jobs: a `failed` outcome, or an error on the last
 * attempt, is published as `item.failed` here and fails the job for good (so it stays visible
 * on the queue dashboard); an error with attempts left is retried.
 */
export abstract class ItemStageWorker<Data extends FailedItem, Done> extends DrainingWorkerHost {
  protected abstract readonly stage: ItemFailedData['stage'];

  @Inject(EventPublisher) private readonly failures!: EventPublisher;

  protected abstract run(
    job: Job<Data>,
    attempt: JobAttempt,
    token?: string,
  ): Promise<StageOutcome<Done>>;

  async process(job: Job<Data>, token?: string): Promise<StageOutcome<Done>> {
    const attempt = { attempt: job.attemptsMade + 1, maxAttempts: job.opts.attempts ?? 1 };
    let outcome: StageOutcome<Done>;
    try {
      outcome = await this.run(job, attempt, token);
    } catch (error) {
      if (isJobControl(error)) throw error;
      if (attempt.attempt < attempt.maxAttempts && !(error instanceof UnrecoverableError))
        throw error;
      await this.reportFailed(job.data, (error as Error).message || String(error), attempt, false);
      throw error;
    }
    if (!isFailure(outcome)) return outcome;
    await this.reportFailed(job.data, outcome.reason, attempt, outcome.retryable);
    throw new UnrecoverableError(outcome.reason);
  }

  private reportFailed(
    item: FailedItem,
    reason: string,
    attempt: JobAttempt,
    retryable: boolean,
  ): Promise<void> {
    return publishItemFailed(this.failures, item, {
      stage: this.stage,
      reason,
      attempts: attempt.attempt,
      retryable,
    });
  }
}

function isFailure(outcome: unknown): outcome is StageFailure {
  return (outcome as Partial<StageFailure> | undefined)?.kind === 'failed';
}

/** Moved back to the delayed or waiting set by the job itself: no attempt was spent. */
function isJobControl(error: unknown): boolean {
  return error instanceof DelayedError || error instanceof WaitingChildrenError;
}
