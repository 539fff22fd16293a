import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ALL_TOPICS,
  Topic,
  deadLetterFailsItem,
  deadLetterTopic,
  type EventOf,
} from '@curation/contracts';
import { OnEvent, OnRawMessage, deadLetteredItem, type MessageContext } from '@curation/kafka';
import { pipelineCounter, pipelineHistogram } from '@curation/platform';
import type { KafkaMessage } from 'kafkajs';
import { ItemStatusRepository } from './item-status.repository';
import { OPERATIONS_OPTIONS, type OperationsOptions } from './operations.options';
import { publicFailureReason } from './public-failure-reason';
import {
  FAILING_STAGES,
  STAGES,
  type FailingStage,
  type ItemFailure,
  type ItemState,
  type ItemStatus,
  type Stage,
} from './item-status';

const itemsByStage = pipelineCounter({
  name: 'curation_items_total',
  help: 'Items that reached a stage, by outcome',
  labelNames: ['stage', 'outcome'],
});
// Zero from the start: rate() and the "nothing indexed" alert see the first item of each stage.
for (const stage of [...STAGES, 'removed']) itemsByStage.inc({ stage, outcome: 'success' }, 0);
for (const stage of FAILING_STAGES) itemsByStage.inc({ stage, outcome: 'failure' }, 0);

const stageDuration = pipelineHistogram({
  name: 'curation_stage_duration_seconds',
  help: 'Time from the previous stage to this one',
  labelNames: ['stage'],
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
});

/** The milestone each stage produces: a failure there is cured once that milestone is reached. */
const PRODUCES: Record<FailingStage, Stage> = {
  ingestion: 'received',
  enrichment: 'enriched',
  'image-processing': 'imaged',
  'search-indexing': 'indexed',
};

const STAGE_OF: Partial<Record<string, Stage>> = {
  [Topic.ItemReceived]: 'received',
  [Topic.ItemEnriched]: 'enriched',
  [Topic.ItemImaged]: 'imaged',
  [Topic.ItemIndexed]: 'indexed',
};
const STAGE_TOPICS = [Topic.ItemReceived, Topic.ItemEnriched, Topic.ItemImaged, Topic.ItemIndexed];

/** Dead letters of item events: kept as the input a retry publishes again (the status itself comes from item.failed). */
const ITEM_DEAD_LETTER_TOPICS = ALL_TOPICS.filter(deadLetterFailsItem).map(deadLetterTopic);

/** As long as BullMQ keeps a failed job (7 days): what an operator can still retry. */
export const DEFAULT_RETRY_INPUT_TTL_MS = 7 * 24 * 3600 * 1000;

interface StageReached {
  itemId: string;
  revision: number;
  stage: Stage;
  at: string;
  url?: string;
  title?: string;
  workPackageId?: number;
}

interface ItemFailed extends ItemFailure {
  itemId: string;
  revision: number;
}

function fresh(itemId: string, revision: number): ItemStatus {
  return {
    itemId,
    revision,
    state: 'in-progress',
    stage: 'received',
    attempt: 1,
    stages: {},
    durationsMs: {},
    updatedAt: new Date().toISOString(),
  };
}

/** The status to build on: none for an older revision, a fresh one for a newer revision. */
function baseFor(
  current: ItemStatus | undefined,
  itemId: string,
  revision: number,
): ItemStatus | undefined {
  if (current && revision < current.revision) return undefined;
  if (current && current.revision === revision)
    return { ...current, attempt: current.attempt ?? 1 };
  // A new revision keeps what identifies the item, nothing of the old run.
  return {
    ...fresh(itemId, revision),
    workPackageId: current?.workPackageId,
    url: current?.url,
    title: current?.title,
  };
}

function furthest(stages: ItemStatus['stages']): Stage {
  return [...STAGES].reverse().find((stage) => stages[stage]) ?? 'received';
}

/** The status as API clients see it: the failure reason without internal addresses. */
function publicView(status: ItemStatus): ItemStatus {
  if (!status.lastError) return status;
  return {
    ...status,
    lastError: { ...status.lastError, reason: publicFailureReason(status.lastError.reason) },
  };
}

/**
 * Builds each item's status from its events alone (failures from `item.failed` only); older
 * revisions never rewrite a newer one, and a report from an attempt that a retry has replaced
 * never fails the new attempt. The input of each stage is kept so an operator can run a failed
 * stage again.
 */
@Injectable()
export class ItemStatusService {
  private readonly logger = new Logger(ItemStatusService.name);

  constructor(
    private readonly repository: ItemStatusRepository,
    @Inject(OPERATIONS_OPTIONS) private readonly options: OperationsOptions,
  ) {}

  async get(itemId: string): Promise<ItemStatus | undefined> {
    const status = await this.repository.get(itemId);
    return status && publicView(status);
  }

  async list(state: ItemState, limit: number): Promise<ItemStatus[]> {
    return (await this.repository.listByState(state, limit)).map(publicView);
  }

  async findByWorkPackage(workPackageId: number): Promise<ItemStatus[]> {
    return (await this.repository.listByWorkPackage(workPackageId)).map(publicView);
  }

  /**
   * A revision ingestion has just accepted: from now on the status describes it, so a client
   * polling for it never reads the previous revision's outcome as its own.
   */
  async accepted(itemId: string, revision: number, url: string): Promise<void> {
    await this.repository.update(itemId, (current) => {
      if (current && revision <= current.revision) return undefined;
      return { ...baseFor(current, itemId, revision)!, url };
    });
  }

  @OnEvent(STAGE_TOPICS)
  async onStageEvent(event: EventOf<Topic>, context: MessageContext): Promise<void> {
    const stage = STAGE_OF[context.topic]!;
    const data = event.data as {
      url?: string;
      title?: string;
      article?: { title?: string };
      workPackage?: { id: number };
    };
    if (stage !== 'indexed') {
      await this.keepInput(event.itemId, context.topic, event.revision, JSON.stringify(event));
    }
    await this.stageReached({
      itemId: event.itemId,
      revision: event.revision,
      stage,
      at: event.occurredAt,
      url: data.url,
      title: data.article?.title ?? data.title,
      workPackageId: data.workPackage?.id,
    });
  }

  @OnEvent(Topic.ItemFailed)
  async onFailed(event: EventOf<typeof Topic.ItemFailed>): Promise<void> {
    const { stage, reason, attempts, deadLetterTopic } = event.data;
    await this.failed({
      itemId: event.itemId,
      revision: event.revision,
      stage,
      reason,
      attempts,
      at: event.occurredAt,
      ...(deadLetterTopic ? { deadLetterTopic } : {}),
    });
  }

  @OnEvent(Topic.ItemRemoved)
  async onRemoved(event: EventOf<typeof Topic.ItemRemoved>): Promise<void> {
    await this.removed(
      event.itemId,
      event.revision,
      event.data.reason,
      event.occurredAt,
      event.data.duplicateOf,
    );
  }

  /** A dead letter may be any bytes: what can be read of it is kept for a retry. */
  @OnRawMessage(ITEM_DEAD_LETTER_TOPICS)
  async onDeadLetter(message: KafkaMessage, context: MessageContext): Promise<void> {
    const item = deadLetteredItem(message);
    const value = message.value?.toString();
    if (!item || !value) return;
    await this.keepInput(item.itemId, context.topic.replace(/\.dlq$/, ''), item.revision, value);
  }

  private async stageReached(event: StageReached): Promise<void> {
    const updated = await this.repository.update(event.itemId, (current) => {
      const base = baseFor(current, event.itemId, event.revision);
      if (!base) return undefined;
      const stages = { ...base.stages, [event.stage]: event.at };
      const previous = STAGES[STAGES.indexOf(event.stage) - 1];
      const durationsMs = { ...base.durationsMs };
      if (previous && stages[previous]) {
        durationsMs[event.stage] = Date.parse(event.at) - Date.parse(stages[previous]);
      }
      const moved = { ...base, stages, durationsMs, updatedAt: new Date().toISOString() };
      moved.url = event.url ?? base.url;
      moved.title = event.title ?? base.title;
      moved.workPackageId = event.workPackageId ?? base.workPackageId;
      if (!this.movesOn(base, event)) return moved;
      return {
        ...moved,
        state: stages.indexed ? 'completed' : 'in-progress',
        stage: furthest(stages),
        removedReason: undefined,
        duplicateOf: undefined,
      };
    });
    itemsByStage.inc({ stage: event.stage, outcome: 'success' });
    if (updated?.state === 'completed') {
      await this.repository.forgetRetryInputs(event.itemId, event.revision);
    }
    const duration = updated?.durationsMs[event.stage];
    if (duration !== undefined) stageDuration.observe({ stage: event.stage }, duration / 1000);
  }

  private async failed(failure: ItemFailed): Promise<void> {
    this.logger.warn(`item ${failure.itemId} failed at ${failure.stage}: ${failure.reason}`);
    itemsByStage.inc({ stage: failure.stage, outcome: 'failure' });
    const { itemId, revision, ...lastError } = failure;
    await this.repository.update(itemId, (current) => {
      const base = baseFor(current, itemId, revision);
      if (!base || this.isStale(base, failure)) return undefined;
      return {
        ...base,
        state: 'failed',
        stage: lastError.stage,
        lastError,
        updatedAt: new Date().toISOString(),
      };
    });
  }

  private async removed(
    itemId: string,
    revision: number,
    reason: string,
    at: string,
    duplicateOf?: string,
  ): Promise<void> {
    itemsByStage.inc({ stage: 'removed', outcome: 'success' });
    await this.repository.update(itemId, (current) => {
      const base = baseFor(current, itemId, revision);
      if (!base) return undefined;
      return {
        ...base,
        state: duplicateOf ? 'duplicate' : 'removed',
        stage: 'removed',
        lastError: undefined,
        removedReason: reason,
        removedAt: at,
        duplicateOf,
        updatedAt: new Date().toISOString(),
      };
    });
    await this.repository.forgetRetryInputs(itemId, revision);
  }

  /**
   * Starts a new attempt of a failed revision; undefined when the item is no longer failed at
   * that revision (another retry, or a newer revision, came first).
   */
  async retryStarted(itemId: string, revision: number): Promise<ItemStatus | undefined> {
    const started = await this.repository.update(itemId, (current) => {
      if (!current || current.revision !== revision || current.state !== 'failed') return undefined;
      const now = new Date().toISOString();
      return {
        ...current,
        state: 'in-progress',
        stage: furthest(current.stages),
        attempt: (current.attempt ?? 1) + 1,
        retriedAt: now,
        updatedAt: now,
      };
    });
    return started && publicView(started);
  }

  /** The retry's event could not be published: the item is failed again, with that reason. */
  async retryAborted(itemId: string, revision: number, reason: string): Promise<void> {
    await this.repository.update(itemId, (current) => {
      if (!current || current.revision !== revision || current.state !== 'in-progress')
        return undefined;
      const now = new Date().toISOString();
      return {
        ...current,
        state: 'failed',
        stage: current.lastError?.stage ?? 'ingestion',
        lastError: {
          stage: current.lastError?.stage ?? 'ingestion',
          reason: `retry not started: ${reason}`,
          attempts: 1,
          at: now,
        },
        updatedAt: now,
      };
    });
  }

  private keepInput(itemId: string, topic: string, revision: number, value: string): Promise<void> {
    return this.repository.saveRetryInput(
      itemId,
      topic as Topic,
      { revision, value },
      this.options.retryInputTtlMs ?? DEFAULT_RETRY_INPUT_TTL_MS,
    );
  }

  /** A failed or removed revision changes again only on news from after that outcome. */
  private movesOn(base: ItemStatus, event: StageReached): boolean {
    if (base.state === 'removed' || base.state === 'duplicate')
      return !base.removedAt || event.at > base.removedAt;
    if (base.state !== 'failed' || !base.lastError) return true;
    const cured = STAGES.indexOf(event.stage) >= STAGES.indexOf(PRODUCES[base.lastError.stage]);
    return cured && event.at >= base.lastError.at;
  }

  /** A failure reported by an attempt a retry replaced, or before the revision completed. */
  private isStale(base: ItemStatus, failure: ItemFailed): boolean {
    if (base.state === 'removed' || base.state === 'duplicate') return true;
    if (base.retriedAt && failure.at < base.retriedAt) return true;
    return base.state === 'completed' && !!base.stages.indexed && failure.at <= base.stages.indexed;
  }
}
