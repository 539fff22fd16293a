import { Logger } from '@nestjs/common';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { KafkaOptions } from './kafka.options';

const logger = new Logger('kafkajs');

function logEntry({ level, log }: LogEntry): void {
  const { message, ...extra } = log;
  const line = `${message} ${JSON.stringify(extra)}`;
  if (level === logLevel.ERROR) logger.error(line);
  else if (level === logLevel.WARN) logger.warn(line);
  else logger.debug(line);
}

export function createKafkaClient(options: KafkaOptions): Kafka {
  return new Kafka({
    clientId: `${options.clientIdPrefix}.${options.serviceName}`,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    logCreator: () => logEntry,
    retry: { initialRetryTime: 300, retries: 10 },
  });
}
