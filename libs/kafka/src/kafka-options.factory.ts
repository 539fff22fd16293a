import type { KafkaOptions } from './kafka.options';

export interface KafkaEnvironment {
  KAFKA_BROKERS: string[];
  KAFKA_CLIENT_ID_PREFIX: string;
  KAFKA_TOPIC_PARTITIONS: number;
  KAFKA_MAX_ATTEMPTS: number;
  KAFKA_RETRY_INITIAL_DELAY_MS: number;
  KAFKA_NEW_GROUP_START: 'earliest' | 'latest';
}

export function kafkaOptionsFrom(config: KafkaEnvironment, serviceName: string): KafkaOptions {
  return {
    brokers: config.KAFKA_BROKERS,
    serviceName,
    clientIdPrefix: config.KAFKA_CLIENT_ID_PREFIX,
    topicPartitions: config.KAFKA_TOPIC_PARTITIONS,
    maxAttempts: config.KAFKA_MAX_ATTEMPTS,
    retryInitialDelayMs: config.KAFKA_RETRY_INITIAL_DELAY_MS,
    fromBeginning: config.KAFKA_NEW_GROUP_START === 'earliest',
    exitOnCrash: true,
  };
}
