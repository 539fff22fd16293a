import { ALL_TOPICS, deadLetterTopic } from '@curation/contracts';
import { pipelineCounter } from '@curation/platform';
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { FailedItem } from './item-failed';

export const DeadLetterHeader = {
  Reason: 'x-dlq-reason',
  SourceTopic: 'x-dlq-source-topic',
  SourcePartition: 'x-dlq-source-partition',
  SourceOffset: 'x-dlq-source-offset',
  Attempts: 'x-dlq-attempts',
  FailedAt: 'x-dlq-failed-at',
  Service: 'x-dlq-service',
} as const;

/**
 * Counted by the service that publishes them, once the broker has them. The reason is free text
 * (kept in the `x-dlq-reason` header, which `curation dlq list` shows), too varied for a label.
 */
const deadLetters = pipelineCounter({
  name: 'curation_dead_letters_total',
  help: 'Messages published to a dead-letter topic, by that topic',
  labelNames: ['topic'] as const,
});
// Zero from the start, so increase() sees the first dead letter of each topic.
for (const topic of ALL_TOPICS) deadLetters.inc({ topic: deadLetterTopic(topic) }, 0);

export function countDeadLetters(deadLetterTopicName: string, messages: number): void {
  deadLetters.inc({ topic: deadLetterTopicName }, messages);
}

export interface DeadLetterOrigin {
  topic: string;
  partition: number;
  message: KafkaMessage;
  service: string;
  attempts: number;
  reason: string;
}

/** The original key, value and headers, plus why and where it failed. */
export function toDeadLetter(origin: DeadLetterOrigin): Message {
  const headers: IHeaders = {
    ...origin.message.headers,
    [DeadLetterHeader.Reason]: origin.reason.slice(0, 4000),
    [DeadLetterHeader.SourceTopic]: origin.topic,
    [DeadLetterHeader.SourcePartition]: String(origin.partition),
    [DeadLetterHeader.SourceOffset]: origin.message.offset,
    [DeadLetterHeader.Attempts]: String(origin.attempts),
    [DeadLetterHeader.FailedAt]: new Date().toISOString(),
    [DeadLetterHeader.Service]: origin.service,
  };
  return { key: origin.message.key, value: origin.message.value, headers };
}

export function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value[0] : value)?.toString();
}

/** A dead letter may be any bytes: the item it names, read from its value or else its key. */
export function deadLetteredItem(message: KafkaMessage): FailedItem | undefined {
  const original = parseLoosely(message.value?.toString());
  const itemId = typeof original?.itemId === 'string' ? original.itemId : message.key?.toString();
  if (!itemId) return undefined;
  return {
    itemId,
    revision: typeof original?.revision === 'number' ? original.revision : 0,
    traceparent: typeof original?.traceparent === 'string' ? original.traceparent : undefined,
  };
}

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
