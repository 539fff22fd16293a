import { Injectable, OnModuleInit } from '@nestjs/common';
import { Topic, deadLetterTopic, type EventOf } from '@curation/contracts';
import { DeadLetterHeader, EventConsumer, headerText } from '@curation/kafka';
import type { KafkaMessage } from 'kafkajs';
import { ItemStatusService } from './item-status.service';
import type { Stage } from './item-status';

const STAGE_TOPICS = {
  received: Topic.ItemReceived,
  enriched: Topic.ItemEnriched,
  imaged: Topic.ItemImaged,
  indexed: Topic.ItemIndexed,
} as const satisfies Record<Stage, Topic>;

const DEAD_LETTER_SOURCES = [
  Topic.OpenProjectWebhook,
  Topic.ItemReceived,
  Topic.ItemEnriched,
  Topic.ItemImaged,
];

/** Follows every item topic and dead-letter topic; the status is built from the events alone. */
@Injectable()
export class ItemStatusConsumer implements OnModuleInit {
  constructor(
    private readonly consumer: EventConsumer,
    private readonly status: ItemStatusService,
  ) {}

  onModuleInit(): void {
    for (const [stage, topic] of Object.entries(STAGE_TOPICS) as Array<[Stage, Topic]>) {
      this.consumer.subscribe(topic, (event) => this.stageReached(stage, event));
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
      this.status.removed(event.itemId, event.revision, event.data.reason),
    );
    for (const topic of DEAD_LETTER_SOURCES) {
      this.consumer.subscribeRaw(deadLetterTopic(topic), (message) =>
        this.deadLettered(deadLetterTopic(topic), message),
      );
    }
  }

  private stageReached(stage: Stage, event: EventOf<Topic>): Promise<void> {
    const data = event.data as { url?: string; title?: string; article?: { title?: string } };
    return this.status.stageReached({
      itemId: event.itemId,
      revision: event.revision,
      stage,
      at: event.occurredAt,
      url: data.url,
      title: data.article?.title ?? data.title,
    });
  }

  private async deadLettered(topic: string, message: KafkaMessage): Promise<void> {
    const original = parseLoosely(message.value?.toString());
    const itemId = typeof original?.itemId === 'string' ? original.itemId : message.key?.toString();
    if (!itemId) return;
    await this.status.failed({
      itemId,
      revision: typeof original?.revision === 'number' ? original.revision : 0,
      stage: headerText(message.headers, DeadLetterHeader.Service) ?? 'unknown',
      reason: headerText(message.headers, DeadLetterHeader.Reason) ?? 'dead-lettered',
      attempts: Number(headerText(message.headers, DeadLetterHeader.Attempts) ?? 1),
      at: headerText(message.headers, DeadLetterHeader.FailedAt) ?? new Date().toISOString(),
      deadLetterTopic: topic,
    });
  }
}

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
