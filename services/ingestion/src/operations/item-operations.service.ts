import { Injectable, Logger } from '@nestjs/common';
import {
  QueueName,
  Topic,
  ContractViolationError,
  parseEvent,
  type EventOf,
} from '@curation/contracts';
import { EventPublisher } from '@curation/kafka';
import { pipelineCounter } from '@curation/platform';
import type { FailingStage, ItemStatus } from './item-status';
import { ItemStatusRepository } from './item-status.repository';
import { ItemStatusService } from './item-status.service';
import { PipelineJobsRepository } from './pipeline-jobs.repository';

/** What each stage consumes: a retry publishes it again. */
const STAGE_INPUT: Record<FailingStage, Topic> = {
  ingestion: Topic.OpenProjectWebhook,
  enrichment: Topic.ItemReceived,
  'image-processing': Topic.ItemEnriched,
  'search-indexing': Topic.ItemImaged,
};

/** The queue whose per-revision job a published input would otherwise find and skip. */
const JOB_QUEUE_OF: Partial<Record<Topic, QueueName>> = {
  [Topic.ItemReceived]: QueueName.PageFetch,
  [Topic.ItemEnriched]: QueueName.ImageRender,
};

export type RetryOutcome =
  | { kind: 'unknown' }
  | { kind: 'conflict'; reason: string; status: ItemStatus }
  | { kind: 'started'; status: ItemStatus; from: Topic };

export type RemovalOutcome =
  | { kind: 'unknown' }
  | { kind: 'accepted'; itemId: string; revision: number; alreadyRemoved: boolean };

const operatorActions = pipelineCounter({
  name: 'curation_operator_actions_total',
  help: 'Operator retries and takedowns, by action and outcome',
  labelNames: ['action', 'outcome'],
});

/** Retry and takedown: decisions here, Kafka and BullMQ through their adapters. */
@Injectable()
export class ItemOperationsService {
  private readonly logger = new Logger(ItemOperationsService.name);

  constructor(
    private readonly status: ItemStatusService,
    private readonly repository: ItemStatusRepository,
    private readonly jobs: PipelineJobsRepository,
    private readonly publisher: EventPublisher,
  ) {}

  /**
   * Runs a failed item again from the stage that failed: same revision, a new attempt. The
   * stage's input, kept as it passed (or as it was dead-lettered), is published again after
   * the finished job of that revision is removed, so BullMQ's per-revision job id lets it in.
   */
  async retry(itemId: string): Promise<RetryOutcome> {
    const current = await this.status.get(itemId);
    if (!current) return { kind: 'unknown' };
    if (current.state !== 'failed' || !current.lastError) {
      return this.conflict(current, `the item is ${current.state}, not failed`);
    }
    const { revision } = current;
    const from = inputTopicOf(current.lastError);
    const input = await this.repository.retryInput(itemId, from);
    if (!input || input.revision !== revision) {
      return this.conflict(
        current,
        `the input of ${current.lastError.stage} for revision ${revision} is no longer kept; submit the item again`,
      );
    }
    const queue = JOB_QUEUE_OF[from];
    if (queue && (await this.jobs.clearFinished(queue, itemId, revision)) === 'busy') {
      return this.conflict(current, `a ${queue} job of revision ${revision} is still queued`);
    }
    const started = await this.status.retryStarted(itemId, revision);
    if (!started) {
      const now = await this.status.get(itemId);
      return this.conflict(now ?? current, 'the item changed meanwhile');
    }
    try {
      await this.publishAgain(from, itemId, input.value);
    } catch (error) {
      await this.status.retryAborted(itemId, revision, (error as Error).message);
      operatorActions.inc({ action: 'retry', outcome: 'error' });
      throw error;
    }
    this.logger.log(`retry of ${itemId} r${revision} (attempt ${started.attempt}) from ${from}`);
    operatorActions.inc({ action: 'retry', outcome: 'started' });
    return { kind: 'started', status: started, from };
  }

  /**
   * Takes an item down: `removed` (reason `operator`) one revision past the current one, so an
   * event of the current revision still in flight cannot publish it again afterwards; the next
   * upstream change or submission publishes it again.
   */
  async remove(itemId: string): Promise<RemovalOutcome> {
    const current = await this.status.get(itemId);
    if (!current) return { kind: 'unknown' };
    if (current.state === 'removed') {
      return { kind: 'accepted', itemId, revision: current.revision, alreadyRemoved: true };
    }
    const revision = current.revision + 1;
    await this.publisher.publish(Topic.ItemRemoved, {
      itemId,
      revision,
      data: { reason: 'operator' },
    });
    operatorActions.inc({ action: 'remove', outcome: 'accepted' });
    return { kind: 'accepted', itemId, revision, alreadyRemoved: false };
  }

  private conflict(status: ItemStatus, reason: string): RetryOutcome {
    operatorActions.inc({ action: 'retry', outcome: 'conflict' });
    return { kind: 'conflict', reason, status };
  }

  /** A valid input goes out as a new event (new id, same revision); anything else as it was. */
  private async publishAgain(topic: Topic, itemId: string, value: string): Promise<void> {
    let event: EventOf<Topic>;
    try {
      event = parseEvent(topic, value);
    } catch (error) {
      if (!(error instanceof ContractViolationError)) throw error;
      await this.publisher.send(topic, [{ key: itemId, value }]);
      return;
    }
    await this.publisher.publish(topic, {
      itemId: event.itemId,
      revision: event.revision,
      traceparent: event.traceparent,
      data: event.data,
    } as Parameters<EventPublisher['publish']>[1]);
  }
}

function inputTopicOf(failure: { stage: FailingStage; deadLetterTopic?: string }): Topic {
  const dead = failure.deadLetterTopic?.replace(/\.dlq$/, '');
  const topics: readonly string[] = Object.values(Topic);
  return dead && topics.includes(dead) ? (dead as Topic) : STAGE_INPUT[failure.stage];
}
