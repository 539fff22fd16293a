import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import {
  ContractViolationError,
  Topic,
  deadLetterFailsItem,
  deadLetterTopic,
  itemFailedDataSchema,
  parseEvent,
  type EventOf,
  type ItemFailedData,
} from '@curation/contracts';
import { ReadinessRegistry, runWithLogContext } from '@curation/platform';
import { eventTraceLogFields } from '@curation/telemetry';
import { context } from '@opentelemetry/api';
import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import type { Batch, Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { countDeadLetters, deadLetteredItem, toDeadLetter } from './dead-letter';
import { EventPublisher } from './event-publisher';
import { publishItemFailed } from './item-failed';
import { BatchProcessSpans, endSpan, startProcessSpan, withSpan } from './event-spans';
import { KAFKA_OPTIONS, type KafkaOptions } from './kafka.options';
import { KAFKA_CLIENT } from './kafka.tokens';
import { PermanentEventError } from './permanent-event.error';

export interface MessageContext {
  topic: string;
  partition: number;
  offset: string;
  attempt: number;
}

export type EventHandler<T extends Topic> = (
  event: EventOf<T>,
  context: MessageContext,
) => Promise<void>;

export interface BatchFailure<T extends Topic> {
  event: EventOf<T>;
  reason: string;
}

/** Handles valid events of one batch together; returns the ones that must go to the dead-letter topic. */
export type BatchEventHandler<T extends Topic> = (
  events: EventOf<T>[],
) => Promise<BatchFailure<T>[]>;

/** For topics without an event schema of their own, such as dead-letter topics. */
export type RawMessageHandler = (message: KafkaMessage, context: MessageContext) => Promise<void>;

type Route =
  | { kind: 'message'; handle: EventHandler<Topic> }
  | { kind: 'batch'; handle: BatchEventHandler<Topic> }
  | { kind: 'raw'; handle: RawMessageHandler };

const HEARTBEAT_EVERY_MS = 3000;

/**
 * Handled offsets are committed at most this often, not after every batch as kafkajs' autoCommit
 * does (one OffsetCommit per event per group at low load: a third of the pipeline's Kafka
 * requests). A crash replays at most this much of handled messages; handlers are idempotent.
 */
const COMMIT_EVERY_MS = 1000;

/** How long a handler that failed during an outage waits before it tries the message again. */
const OUTAGE_RETRY_MS = 5000;

const FAILING_STAGES = itemFailedDataSchema.shape.stage.options;

/** This member is leaving the group: stop retrying, the batch goes to whoever takes over. */
class ConsumerStoppingError extends Error {}

function isPermanent(error: unknown): boolean {
  return (
    error instanceof PermanentEventError ||
    error instanceof ContractViolationError ||
    error instanceof ConsumerStoppingError
  );
}

/**
 * One consumer group per service. An offset is committed only after its message was handled
 * or dead-lettered (at-least-once); a failing message is retried with backoff, then sent with
 * its reason to `<topic>.dlq` so the rest of the partition keeps flowing.
 */
@Injectable()
export class EventConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(EventConsumer.name);
  private readonly routes = new Map<string, Route>();
  private consumer?: Consumer;
  private stopping = false;
  /** Commits what the last batches resolved; any batch's payload commits for the whole member. */
  private commitHandled?: () => Promise<void>;
  private commitTimer?: NodeJS.Timeout;
  private startWhen: () => Promise<boolean> = () => Promise.resolve(true);

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaOptions,
    private readonly publisher: EventPublisher,
    @Optional() private readonly readiness?: ReadinessRegistry,
  ) {}

  subscribe<T extends Topic>(topic: T, handle: EventHandler<T>): void {
    this.addRoute(topic, { kind: 'message', handle: handle as EventHandler<Topic> });
  }

  subscribeBatch<T extends Topic>(topic: T, handle: BatchEventHandler<T>): void {
    this.addRoute(topic, { kind: 'batch', handle: handle as unknown as BatchEventHandler<Topic> });
  }

  subscribeRaw(topic: string, handle: RawMessageHandler): void {
    this.addRoute(topic, { kind: 'raw', handle });
  }

  get groupId(): string {
    return `${this.options.clientIdPrefix}.${this.options.serviceName}`;
  }

  /** Joins the group at start only once this says yes (e.g. a start-up check passed). */
  startOnlyWhen(condition: () => Promise<boolean>): void {
    this.startWhen = condition;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.routes.size === 0 || this.stopping || !(await this.startWhen())) return;
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: 30000,
      // kafkajs schedules a restart after a crash even while `disconnect()` runs: once stopping,
      // a crash ends the consumer instead of reviving it behind a closed application.
      retry: { retries: 5, restartOnFailure: async () => !this.stopping },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.stopping) return;
      this.logger.error(`consumer crashed for good: ${payload.error.message}`);
      if (this.options.exitOnCrash) process.exit(1);
    });
    await consumer.connect();
    await consumer.subscribe({
      topics: [...this.routes.keys()],
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await consumer.run({
      eachBatchAutoResolve: false,
      autoCommit: false,
      autoCommitInterval: COMMIT_EVERY_MS,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    // The last handled messages before a quiet spell are committed without waiting for the next.
    this.commitTimer = setInterval(() => void this.commit(), COMMIT_EVERY_MS);
  }

  /** Stops fetching, lets the message in hand finish and commits it, leaves the group. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    clearInterval(this.commitTimer);
    await this.commit();
    await this.consumer?.disconnect();
  }

  private async commit(): Promise<void> {
    try {
      await this.commitHandled?.();
    } catch (error) {
      // A rebalance or a consumer restart made this payload stale: the partitions' next member
      // replays the few uncommitted messages, and the next batch brings a payload that commits.
      this.commitHandled = undefined;
      this.logger.warn(`commit of handled offsets failed: ${(error as Error).message}`);
    }
  }

  private addRoute(topic: string, route: Route): void {
    if (this.routes.has(topic)) throw new Error(`Two handlers subscribe to ${topic}`);
    if (this.consumer) throw new Error(`Subscribe to ${topic} before the application starts`);
    this.routes.set(topic, route);
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const route = this.routes.get(payload.batch.topic);
    if (!route) throw new Error(`No handler for ${payload.batch.topic}`);
    this.commitHandled = () => payload.commitOffsetsIfNecessary(payload.uncommittedOffsets());
    try {
      if (route.kind === 'batch') return await this.handleWholeBatch(route.handle, payload);
      return await this.handleMessages(route, payload);
    } finally {
      // Stopping: the batch in hand is committed before the member leaves (the timer is off).
      if (this.stopping) await this.commit();
    }
  }

  private async handleMessages(
    route: Exclude<Route, { kind: 'batch' }>,
    payload: EachBatchPayload,
  ): Promise<void> {
    for (const message of payload.batch.messages) {
      if (!payload.isRunning() || payload.isStale()) return;
      try {
        await this.withHeartbeat(payload, () =>
          route.kind === 'raw'
            ? this.handleRaw(route.handle, payload.batch, message)
            : this.handleOne(route.handle, payload.batch, message),
        );
      } catch (error) {
        // Stopping while a server is down: not handled, not committed; the next member gets it.
        if (error instanceof ConsumerStoppingError) return;
        throw error;
      }
      payload.resolveOffset(message.offset);
      await payload.commitOffsetsIfNecessary();
    }
  }

  private async handleOne(
    handle: EventHandler<Topic>,
    batch: Batch,
    message: KafkaMessage,
  ): Promise<void> {
    const topic = batch.topic as Topic;
    let event: EventOf<Topic>;
    try {
      event = parseEvent(topic, message.value);
    } catch (error) {
      return this.deadLetter(batch, [message], 1, (error as Error).message);
    }
    let attempt = 0;
    const logContext = { itemId: event.itemId, topic, ...eventTraceLogFields(event.traceparent) };
    const span = startProcessSpan(event, {
      topic,
      partition: batch.partition,
      offset: message.offset,
      groupId: this.groupId,
    });
    await context.with(withSpan(span), async () => {
      try {
        await runWithLogContext(logContext, () =>
          this.waitingOutOutages(() =>
            this.retryPolicy().execute(() =>
              handle(event, {
                topic,
                partition: batch.partition,
                offset: message.offset,
                attempt: ++attempt,
              }),
            ),
          ),
        );
        endSpan(span);
      } catch (error) {
        endSpan(span, error);
        if (error instanceof ConsumerStoppingError) throw error;
        await this.deadLetter(batch, [message], attempt, (error as Error).message);
      }
    });
  }

  private async handleRaw(
    handle: RawMessageHandler,
    batch: Batch,
    message: KafkaMessage,
  ): Promise<void> {
    let attempt = 0;
    await this.retryPolicy().execute(() =>
      handle(message, {
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        attempt: ++attempt,
      }),
    );
  }

  private async handleWholeBatch(
    handle: BatchEventHandler<Topic>,
    payload: EachBatchPayload,
  ): Promise<void> {
    const { batch } = payload;
    const valid: Array<{ event: EventOf<Topic>; message: KafkaMessage }> = [];
    for (const message of batch.messages) {
      try {
        valid.push({ event: parseEvent(batch.topic as Topic, message.value), message });
      } catch (error) {
        await this.deadLetter(batch, [message], 1, (error as Error).message);
      }
    }
    // A batch handler reports item-level problems as failures; what it throws is the store being
    // away, so the batch waits for it (no dead letters for an outage) until this member stops.
    let attempt = 0;
    const spans = new BatchProcessSpans(
      valid.map(({ event, message }) => ({ event, offset: message.offset })),
      { topic: batch.topic, partition: batch.partition, groupId: this.groupId },
    );
    let failures: BatchFailure<Topic>[] | undefined;
    try {
      failures = await context.with(spans.handlerContext, () =>
        this.withHeartbeat(payload, () =>
          this.retryPolicy(Number.MAX_SAFE_INTEGER)
            .execute(() => {
              if (!payload.isRunning() || payload.isStale()) throw new ConsumerStoppingError();
              attempt++;
              return handle(valid.map(({ event }) => event));
            })
            .catch((error: Error) => {
              if (error instanceof ConsumerStoppingError) return undefined;
              throw error;
            }),
        ),
      );
    } finally {
      spans.end(new Map(failures?.map((failure) => [failure.event.id, failure.reason])));
    }
    if (!failures) return;
    for (const failure of failures) {
      const failed = valid.find(({ event }) => event.id === failure.event.id);
      if (failed) await this.deadLetter(batch, [failed.message], attempt, failure.reason);
    }
    const last = batch.messages.at(-1);
    if (last) payload.resolveOffset(last.offset);
    await payload.commitOffsetsIfNecessary();
  }

  /**
   * A handler that ran out of attempts while a server this service needs is down (its readiness
   * check fails) failed because of the outage, not because of the message: dead-lettering it would
   * fail a good item and tell its editor so. It waits for the server instead, as long as it takes.
   */
  private async waitingOutOutages<R>(handle: () => Promise<R>): Promise<R> {
    for (;;) {
      try {
        return await handle();
      } catch (error) {
        if (isPermanent(error)) throw error;
        const down = (await this.readiness?.unavailable()) ?? [];
        if (down.length === 0) throw error;
        if (this.stopping) throw new ConsumerStoppingError();
        this.logger.warn(
          `handler failed while ${down.join(', ')} is unavailable: trying again in ${OUTAGE_RETRY_MS} ms instead of dead-lettering (${(error as Error).message})`,
        );
        await new Promise((resolve) => setTimeout(resolve, OUTAGE_RETRY_MS));
      }
    }
  }

  private retryPolicy(maxAttempts = this.options.maxAttempts) {
    const policy = retry(
      handleWhen((error) => !isPermanent(error)),
      {
        maxAttempts: maxAttempts - 1,
        backoff: new ExponentialBackoff({
          initialDelay: this.options.retryInitialDelayMs,
          maxDelay: 30000,
        }),
      },
    );
    policy.onRetry(({ delay }) =>
      this.logger.warn(`handler failed; retrying in ${Math.round(delay)} ms`),
    );
    return policy;
  }

  private async withHeartbeat<R>(payload: EachBatchPayload, work: () => Promise<R>): Promise<R> {
    const timer = setInterval(() => {
      payload
        .heartbeat()
        .catch((error: Error) => this.logger.warn(`heartbeat failed: ${error.message}`));
    }, HEARTBEAT_EVERY_MS);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  private async deadLetter(
    batch: Batch,
    messages: KafkaMessage[],
    attempts: number,
    reason: string,
  ): Promise<void> {
    if (messages.length === 0) return;
    this.logger.warn(
      `dead-lettering ${messages.length} message(s) of ${batch.topic} after ${attempts} attempt(s): ${reason}`,
    );
    const topic = deadLetterTopic(batch.topic as Topic);
    await this.publisher.send(
      topic,
      messages.map((message) =>
        toDeadLetter({
          topic: batch.topic,
          partition: batch.partition,
          message,
          service: this.options.serviceName,
          attempts,
          reason,
        }),
      ),
    );
    countDeadLetters(topic, messages.length);
    if (!deadLetterFailsItem(batch.topic)) return;
    for (const message of messages) {
      await this.reportItemFailed(message, {
        stage: this.stage,
        reason: reason || 'dead-lettered',
        attempts,
        retryable: false,
        deadLetterTopic: topic,
      });
    }
  }

  /** The stage this consumer group belongs to: its service (`ingestion.write-back` is ingestion). */
  private get stage(): ItemFailedData['stage'] {
    const service = this.options.serviceName.split('.')[0];
    return FAILING_STAGES.find((stage) => stage === service) ?? 'ingestion';
  }

  /** An item's failure is reported when the dead letter names a valid item. */
  private async reportItemFailed(message: KafkaMessage, failure: ItemFailedData): Promise<void> {
    const item = deadLetteredItem(message);
    if (!item) return;
    try {
      await publishItemFailed(this.publisher, item, failure);
    } catch (error) {
      if (!(error instanceof ContractViolationError)) throw error;
      this.logger.warn(`dead letter names no valid item (${item.itemId}): ${error.message}`);
    }
  }
}
