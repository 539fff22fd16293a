import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ALL_TOPICS, Topic, deadLetterTopic, type EventOf } from '@curation/contracts';
import { DeadLetterHeader, EventConsumer, headerText } from '@curation/kafka';
import type { KafkaMessage } from 'kafkajs';
import { FAILING_STAGES, type FailingStage, type Stage } from './item-status';
import { ItemStatusRepository } from './item-status.repository';
import { ItemStatusService } from './item-status.service';
import { OPERATIONS_OPTIONS, type OperationsOptions } from './operations.options';

const STAGE_TOPICS = {
  received: Topic.ItemReceived,
  enriched: Topic.ItemEnriched,
  imaged: Topic.ItemImaged,
  indexed: Topic.ItemIndexed,
} as const satisfies Record<Stage, Topic>;

/** Which stage consumes each topic: a dead letter of that topic is that stage's failure. */
const CONSUMED_BY: Record<Topic, FailingStage> = {
  [Topic.OpenProjectWebhook]: 'ingestion',
  [Topic.ItemReceived]: 'enrichment',
  [Topic.ItemEnriched]: 'image-processing',
  [Topic.ItemImaged]: 'search-indexing',
  [Topic.ItemRemoved]: 'search-indexing',
  [Topic.ItemIndexed]: 'ingestion',
  [Topic.ItemFailed]: 'ingestion',
  [Topic.OfferingUpserted]: 'enrichment',
};

/** Dead letters whose key is not an item. */
const NOT_ITEMS: readonly Topic[] = [Topic.OfferingUpserted];

/**
 * Follows every item topic and every dead-letter topic: the status is built from the events
 * alone, and the input of each stage is kept so an operator can run a failed stage again.
 */
@Injectable()
export class ItemStatusConsumer implements OnModuleInit {
  private readonly logger = new Logger(ItemStatusConsumer.name);

  constructor(
    private readonly consumer: EventConsumer,
    private readonly status: ItemStatusService,
    private readonly repository: ItemStatusRepository,
    @Inject(OPERATIONS_OPTIONS) private readonly options: OperationsOptions,
  ) {}

  onModuleInit(): void {
    for (const [stage, topic] of Object.entries(STAGE_TOPICS) as Array<[Stage, Topic]>) {
      this.consumer.subscribe(topic, (event) => this.stageReached(stage, topic, event));
    }
    this.consumer.subscribe(Topic.ItemFailed, (event) =>
      this.status.failed({
        itemId: event.itemId,
        revision: event.revision,
        ...event.data,
        at: event.occurredAt,
      }),
    );
    this.consumer.subscribe(Topic.ItemRemoved, (event) =>
      this.status.removed(
        event.itemId,
        event.revision,
        event.data.reason,
        event.occurredAt,
        event.data.duplicateOf,
      ),
    );
    for (const topic of ALL_TOPICS) {
      this.consumer.subscribeRaw(deadLetterTopic(topic), (message) =>
        this.deadLettered(topic, message),
      );
    }
  }

  private async stageReached(stage: Stage, topic: Topic, event: EventOf<Topic>): Promise<void> {
    const data = event.data as {
      url?: string;
      title?: string;
      article?: { title?: string };
      workPackage?: { id: number };
    };
    if (stage !== 'indexed') await this.keepInput(event.itemId, topic, event.revision, event);
    await this.status.stageReached({
      itemId: event.itemId,
      revision: event.revision,
      stage,
      at: event.occurredAt,
      url: data.url,
      title: data.article?.title ?? data.title,
      workPackageId: data.workPackage?.id,
    });
  }

  private async deadLettered(source: Topic, message: KafkaMessage): Promise<void> {
    const topic = deadLetterTopic(source);
    if (NOT_ITEMS.includes(source)) {
      this.logger.warn(
        `dead letter on ${topic}: ${headerText(message.headers, DeadLetterHeader.Reason)}`,
      );
      return;
    }
    const original = parseLoosely(message.value?.toString());
    const itemId = typeof original?.itemId === 'string' ? original.itemId : message.key?.toString();
    if (!itemId) return;
    const revision = typeof original?.revision === 'number' ? original.revision : 0;
    const value = message.value?.toString();
    if (value) await this.keepInput(itemId, source, revision, value);
    const service = headerText(message.headers, DeadLetterHeader.Service);
    await this.status.failed({
      itemId,
      revision,
      stage: FAILING_STAGES.find((stage) => stage === service) ?? CONSUMED_BY[source],
      reason: headerText(message.headers, DeadLetterHeader.Reason) ?? 'dead-lettered',
      attempts: Number(headerText(message.headers, DeadLetterHeader.Attempts) ?? 1),
      at: headerText(message.headers, DeadLetterHeader.FailedAt) ?? new Date().toISOString(),
      deadLetterTopic: topic,
    });
  }

  private keepInput(
    itemId: string,
    topic: Topic,
    revision: number,
    event: EventOf<Topic> | string,
  ): Promise<void> {
    const value = typeof event === 'string' ? event : JSON.stringify(event);
    return this.repository.saveRetryInput(
      itemId,
      topic,
      { revision, value },
      this.options.retryInputTtlMs ?? DEFAULT_RETRY_INPUT_TTL_MS,
    );
  }
}

/** As long as BullMQ keeps a failed job (7 days): what an operator can still retry. */
export const DEFAULT_RETRY_INPUT_TTL_MS = 7 * 24 * 3600 * 1000;

/** A dead letter may be any bytes: read what can be read of it. */
function parseLoosely(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
