import { KafkaModule, type KafkaOptions } from '@curation/kafka';
import type { DynamicModule } from '@nestjs/common';
import { testEnvironment } from './test-environment';

/** The Kafka lib on the test broker, with short retries; a test names what differs. */
export function kafkaTestModule(
  options: Pick<KafkaOptions, 'serviceName' | 'clientIdPrefix'> & Partial<KafkaOptions>,
): DynamicModule {
  return KafkaModule.forRootAsync({
    useFactory: () => ({
      brokers: testEnvironment().KAFKA_BROKERS,
      topicPartitions: 3,
      maxAttempts: 2,
      retryInitialDelayMs: 50,
      exitOnCrash: false,
      ...options,
    }),
  });
}
