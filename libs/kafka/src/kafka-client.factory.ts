import { Logger } from '@nestjs/common';
import { pipelineCounter } from '@curation/platform';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { KafkaOptions } from './kafka.options';

const logger = new Logger('kafkajs');

const kafkaRequests = pipelineCounter({
  name: 'curation_kafka_requests_total',
  help: 'Kafka protocol requests sent, by client (producer, consumer, admin) and API (Produce, Fetch, Heartbeat, ...)',
  labelNames: ['client', 'api'] as const,
});

function logEntry({ level, log }: LogEntry): void {
  const { message, ...extra } = log;
  const line = `${message} ${JSON.stringify(extra)}`;
  if (level === logLevel.ERROR) logger.error(line);
  else if (level === logLevel.WARN) logger.warn(line);
  else logger.debug(line);
}

interface RequestEmitter {
  events: { REQUEST: string };
  on(event: string, listener: (event: { payload: { apiName: string } }) => void): unknown;
}

function countRequests<T extends RequestEmitter>(
  client: 'producer' | 'consumer' | 'admin',
  instance: T,
): T {
  instance.on(instance.events.REQUEST, ({ payload }) =>
    kafkaRequests.inc({ client, api: payload.apiName }),
  );
  return instance;
}

export function createKafkaClient(options: KafkaOptions): Kafka {
  const kafka = new Kafka({
    clientId: `${options.clientIdPrefix}.${options.serviceName}`,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    logCreator: () => logEntry,
    retry: { initialRetryTime: 300, retries: 10 },
  });
  // Every producer, consumer and admin of the service counts its round trips to the broker.
  const producer = kafka.producer.bind(kafka);
  const consumer = kafka.consumer.bind(kafka);
  const admin = kafka.admin.bind(kafka);
  kafka.producer = (config) => countRequests('producer', producer(config));
  kafka.consumer = (config) => countRequests('consumer', consumer(config));
  kafka.admin = (config) => countRequests('admin', admin(config));
  return kafka;
}
