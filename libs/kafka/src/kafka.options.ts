export const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');

export interface KafkaOptions {
  brokers: string[];
  /** Names this service's client and consumer group (`<prefix>.<serviceName>`). */
  serviceName: string;
  clientIdPrefix: string;
  topicPartitions: number;
  /** Attempts of a failing handler before its message goes to the dead-letter topic. */
  maxAttempts: number;
  retryInitialDelayMs: number;
  /**
   * Where a consumer group without committed offsets starts: the beginning, so a new service
   * misses nothing; tests that share topics start new groups at the end.
   */
  fromBeginning?: boolean;
  /** Exit the process when the consumer crashes for good, so a supervisor restarts it. */
  exitOnCrash: boolean;
}
