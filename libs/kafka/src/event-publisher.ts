import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { createEvent, type EventOf, type NewEvent, type Topic } from '@curation/contracts';
import { traceparentForEvent } from '@curation/telemetry';
import { Partitioners, type IHeaders, type Kafka, type Message, type Producer } from 'kafkajs';
import { endSpan, startPublishSpan } from './event-spans';
import { KAFKA_CLIENT } from './kafka.tokens';

export interface PublishOptions {
  /**
   * Gives up waiting after this long with a PublishTimeoutError. kafkajs cannot cancel a
   * send: one given up on may still be written once the broker answers again.
   */
  timeoutMs?: number;
}

/** The broker did not acknowledge within the caller's bound (stalled, or still retrying). */
export class PublishTimeoutError extends Error {
  constructor(
    readonly topic: string,
    readonly timeoutMs: number,
  ) {
    super(`Kafka did not acknowledge the write to ${topic} within ${timeoutMs} ms`);
    this.name = 'PublishTimeoutError';
  }
}

/** Produces validated events, keyed by item so one item's events stay in order. */
@Injectable()
export class EventPublisher implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(EventPublisher.name);
  private readonly producer: Producer;

  constructor(@Inject(KAFKA_CLIENT) kafka: Kafka) {
    // Idempotence needs acks from all in-sync replicas and one request in flight to keep order.
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async onModuleInit(): Promise<void> {
    await this.producer.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }

  async publish<T extends Topic>(
    topic: T,
    event: NewEvent<T>,
    options: PublishOptions = {},
  ): Promise<EventOf<T>> {
    const [published] = await this.publishMany(topic, [event], options);
    return published;
  }

  async publishMany<T extends Topic>(
    topic: T,
    events: NewEvent<T>[],
    options: PublishOptions = {},
  ): Promise<EventOf<T>[]> {
    // Each event leaves as a span of its item's trace (a new trace when the item starts here).
    const spans = events.map((event) => startPublishSpan(topic, event));
    try {
      const built = events.map((event, index) =>
        createEvent(topic, {
          ...event,
          traceparent: traceparentForEvent(spans[index], event.traceparent),
        }),
      );
      await this.send(
        topic,
        built.map((event) => ({
          key: event.itemId,
          value: JSON.stringify(event),
          // A copy of the envelope's, for tools that read headers; consumers read the envelope.
          headers: event.traceparent ? { traceparent: event.traceparent } : {},
        })),
        options,
      );
      built.forEach((event, index) => spans[index].setAttribute('messaging.message.id', event.id));
      spans.forEach((span) => endSpan(span));
      return built;
    } catch (error) {
      spans.forEach((span) => endSpan(span, error));
      throw error;
    }
  }

  /** Sends already-serialised messages (dead letters, replays) as they are. */
  async send(topic: string, messages: Message[], options: PublishOptions = {}): Promise<void> {
    if (messages.length === 0) return;
    const sent = this.producer.send({ topic, acks: -1, messages });
    await (options.timeoutMs === undefined ? sent : within(sent, topic, options.timeoutMs));
    this.logger.debug(`sent ${messages.length} message(s) to ${topic}`);
  }
}

function within<R>(work: Promise<R>, topic: string, timeoutMs: number): Promise<R> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PublishTimeoutError(topic, timeoutMs)), timeoutMs);
  });
  // The abandoned send settles later; its failure is the caller's timeout, not an unhandled one.
  work.catch(() => undefined);
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

export type { IHeaders };
