import { Injectable, Logger } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { ItemStatusRepository } from './item-status.repository';
import { publicFailureReason } from './public-failure-reason';
import {
  STAGES,
  type ItemFailure,
  type ItemState,
  type ItemStatus,
  type Stage,
} from './item-status';

const itemsByStage = new Counter({
  name: 'curation_items_total',
  help: 'Items that reached a stage, by outcome',
  labelNames: ['stage', 'outcome'],
});

const stageDuration = new Histogram({
  name: 'curation_stage_duration_seconds',
  help: 'Time from the previous stage to this one',
  labelNames: ['stage'],
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
});

export interface StageReached {
  itemId: string;
  revision: number;
  stage: Stage;
  at: string;
  url?: string;
  title?: string;
}

export interface ItemFailed extends ItemFailure {
  itemId: string;
  revision: number;
}

function fresh(itemId: string, revision: number): ItemStatus {
  return {
    itemId,
    revision,
    state: 'in-progress',
    stage: 'received',
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
  return current && current.revision === revision ? current : fresh(itemId, revision);
}

/** The status as API clients see it: the failure reason without internal addresses. */
function publicView(status: ItemStatus): ItemStatus {
  if (!status.lastError) return status;
  return {
    ...status,
    lastError: { ...status.lastError, reason: publicFailureReason(status.lastError.reason) },
  };
}

/** Decides how each event moves an item's status; older revisions never rewrite a newer one. */
@Injectable()
export class ItemStatusService {
  private readonly logger = new Logger(ItemStatusService.name);

  constructor(private readonly repository: ItemStatusRepository) {}

  async get(itemId: string): Promise<ItemStatus | undefined> {
    const status = await this.repository.get(itemId);
    return status && publicView(status);
  }

  async list(state: ItemState, limit: number): Promise<ItemStatus[]> {
    return (await this.repository.listByState(state, limit)).map(publicView);
  }

  async stageReached(event: StageReached): Promise<void> {
    const updated = await this.repository.update(event.itemId, (current) => {
      const base = baseFor(current, event.itemId, event.revision);
      if (!base) return undefined;
      const stages = { ...base.stages, [event.stage]: event.at };
      const previous = STAGES[STAGES.indexOf(event.stage) - 1];
      const durationsMs = { ...base.durationsMs };
      if (previous && stages[previous]) {
        durationsMs[event.stage] = Date.parse(event.at) - Date.parse(stages[previous]);
      }
      const laterStageDone = STAGES.slice(STAGES.indexOf(event.stage) + 1).some(
        (stage) => stages[stage],
      );
      return {
        ...base,
        stages,
        durationsMs,
        stage: laterStageDone ? base.stage : event.stage,
        state: stages.indexed ? 'completed' : base.state === 'failed' ? 'failed' : 'in-progress',
        url: event.url ?? base.url,
        title: event.title ?? base.title,
        updatedAt: new Date().toISOString(),
      };
    });
    itemsByStage.inc({ stage: event.stage, outcome: 'success' });
    const duration = updated?.durationsMs[event.stage];
    if (duration !== undefined) stageDuration.observe({ stage: event.stage }, duration / 1000);
  }

  async failed(failure: ItemFailed): Promise<void> {
    this.logger.warn(`item ${failure.itemId} failed at ${failure.stage}: ${failure.reason}`);
    itemsByStage.inc({ stage: failure.stage, outcome: 'failure' });
    const { itemId, revision, ...lastError } = failure;
    await this.repository.update(itemId, (current) => {
      const base = baseFor(current, itemId, revision);
      if (!base) return undefined;
      return {
        ...base,
        state: 'failed',
        stage: 'failed',
        lastError,
        updatedAt: new Date().toISOString(),
      };
    });
  }

  async removed(itemId: string, revision: number, reason: string): Promise<void> {
    itemsByStage.inc({ stage: 'removed', outcome: 'success' });
    await this.repository.update(itemId, (current) => {
      if (current && revision < current.revision) return undefined;
      return {
        ...(current ?? fresh(itemId, revision)),
        revision,
        state: 'removed',
        stage: 'removed',
        lastError: undefined,
        removedReason: reason,
        updatedAt: new Date().toISOString(),
      };
    });
  }
}
