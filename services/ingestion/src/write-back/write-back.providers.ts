import {
  EventConsumer,
  EventPublisher,
  KAFKA_CLIENT,
  KAFKA_OPTIONS,
  type KafkaOptions,
} from '@curation/kafka';
import type { Kafka } from 'kafkajs';
import { WriteBackClaimRepository } from './write-back-claim.repository';
import {
  WRITE_BACK_EVENT_CONSUMER,
  WriteBackConsumer,
  type WriteBackEventConsumer,
} from './write-back.consumer';
import { WriteBackProcessor } from './write-back.processor';
import { WriteBackQueueRepository } from './write-back-queue.repository';
import { WriteBackService } from './write-back.service';

/** The write-back's providers, for IngestionModule (it shares ingestion's repositories). */
export const writeBackProviders = [
  {
    provide: WRITE_BACK_EVENT_CONSUMER,
    inject: [KAFKA_CLIENT, KAFKA_OPTIONS, EventPublisher],
    useFactory: (
      kafka: Kafka,
      options: KafkaOptions,
      publisher: EventPublisher,
    ): WriteBackEventConsumer => ({
      consumer: new EventConsumer(
        kafka,
        { ...options, serviceName: `${options.serviceName}.write-back` },
        publisher,
      ),
    }),
  },
  WriteBackClaimRepository,
  WriteBackQueueRepository,
  WriteBackService,
  WriteBackConsumer,
  WriteBackProcessor,
];
