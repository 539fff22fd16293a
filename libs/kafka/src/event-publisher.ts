import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import {
  childTraceparent,
  createEvent,
  type EventOf,
  type NewEvent,
  type Topic,
} from '@curation/contracts';
import { Partitioners, type IHeaders, type Kafka, type Message, type Producer } from 'kafkajs';
import { KAFKA_CLIENT } from './kafka.tokens';

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

  async publish<T extends Topic>(topic: T, event: NewEvent<T>): Promise<EventOf<T>> {
    const [published] = await this.publishMany(topic, [event]);
    return published;
  }

  async publishMany<T extends Topic>(topic: T, events: NewEvent<T>[]): Promise<EventOf<T>[]> {
    // Each event is a new span of its item's trace (a new trace when the item starts here).
    const built = events.map((event) =>
      createEvent(topic, { ...event, traceparent: childTraceparent(event.traceparent) }),
    );
    await this.send(
      topic,
      built.map((event) => ({
        key: event.itemId,
        value: JSON.stringify(event),
        headers: event.traceparent ? { traceparent: event.traceparent } : {},
      })),
    );
    return built;
  }

  /** Sends already-serialised messages (dead letters, replays) as they are. */
  async send(topic: string, messages: Message[]): Promise<void> {
    if (messages.length === 0) return;
    await this.producer.send({ topic, acks: -1, messages });
    this.logger.debug(`sent ${messages.length} message(s) to ${topic}`);
  }
}

export type { IHeaders };
