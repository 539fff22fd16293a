import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { contextOfTraceparent, publishParentContext } from '@curation/telemetry';

/*
 * One trace per item: the event's own `traceparent` carries it from service to service (and
 * through dead-letter topics and replays, which keep the event as it was). A span publishing an
 * event becomes the event's traceparent; the span processing it hangs under that. Span names and
 * attributes follow OpenTelemetry's messaging conventions.
 */
const tracer = trace.getTracer('@curation/kafka');

interface EventIdentity {
  itemId: string;
  traceparent?: string;
}

interface ConsumedEvent extends EventIdentity {
  id: string;
}

export interface ConsumedAt {
  topic: string;
  partition: number;
  offset: string;
  groupId: string;
}

function messagingAttributes(topic: string, operation: 'send' | 'process', itemId?: string) {
  return {
    'messaging.system': 'kafka',
    'messaging.destination.name': topic,
    'messaging.operation.type': operation,
    'messaging.operation.name': operation,
    ...(itemId ? { 'messaging.kafka.message.key': itemId, 'curation.item.id': itemId } : {}),
  } satisfies Attributes;
}

export function startPublishSpan(topic: string, event: EventIdentity): Span {
  return tracer.startSpan(
    `send ${topic}`,
    { kind: SpanKind.PRODUCER, attributes: messagingAttributes(topic, 'send', event.itemId) },
    publishParentContext(event.traceparent),
  );
}

export function startProcessSpan(event: ConsumedEvent, at: ConsumedAt, batchSize?: number): Span {
  return tracer.startSpan(
    `process ${at.topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...messagingAttributes(at.topic, 'process', event.itemId),
        'messaging.message.id': event.id,
        'messaging.consumer.group.name': at.groupId,
        'messaging.destination.partition.id': String(at.partition),
        'messaging.kafka.offset': Number(at.offset),
        ...(batchSize === undefined ? {} : { 'messaging.batch.message_count': batchSize }),
      },
    },
    contextOfTraceparent(event.traceparent),
  );
}

/** The context to run a handler in, with its span as the active one. */
export function withSpan(span: Span): Context {
  return trace.setSpan(ROOT_CONTEXT, span);
}

export function endSpan(span: Span, failure?: unknown): void {
  if (failure !== undefined) {
    const message = failure instanceof Error ? failure.message : String(failure);
    if (failure instanceof Error) span.recordException(failure);
    span.setStatus({ code: SpanStatusCode.ERROR, message });
  }
  span.end();
}

/**
 * The spans of a batch handled together: one per event, in its item's trace. A batch of one runs
 * its handler in that span; a larger one in a span of its own, linked to each item's, as the
 * handler's work (one bulk request) belongs to no single item.
 */
export class BatchProcessSpans {
  private readonly spans = new Map<string, Span>();
  private readonly batchSpan?: Span;

  constructor(
    consumed: Array<{ event: ConsumedEvent; offset: string }>,
    at: Omit<ConsumedAt, 'offset'>,
  ) {
    for (const { event, offset } of consumed) {
      this.spans.set(event.id, startProcessSpan(event, { ...at, offset }, consumed.length));
    }
    if (consumed.length > 1) {
      this.batchSpan = tracer.startSpan(
        `process ${at.topic}`,
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            ...messagingAttributes(at.topic, 'process'),
            'messaging.consumer.group.name': at.groupId,
            'messaging.destination.partition.id': String(at.partition),
            'messaging.batch.message_count': consumed.length,
          },
          links: [...this.spans.values()].map((span) => ({ context: span.spanContext() })),
        },
        ROOT_CONTEXT,
      );
    }
  }

  get handlerContext(): Context {
    const span = this.batchSpan ?? this.spans.values().next().value;
    return span ? withSpan(span) : ROOT_CONTEXT;
  }

  /** Ends every span; `failures` maps an event id to why it went to the dead-letter topic. */
  end(failures: Map<string, string> = new Map()): void {
    for (const [eventId, span] of this.spans) endSpan(span, failures.get(eventId));
    this.batchSpan?.end();
  }
}
