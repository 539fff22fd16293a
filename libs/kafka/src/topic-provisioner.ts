import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ALL_TOPICS, deadLetterTopic } from '@curation/contracts';
import type { Kafka } from 'kafkajs';
import { KAFKA_OPTIONS, type KafkaOptions } from './kafka.options';
import { KAFKA_CLIENT } from './kafka.tokens';

/** Creates every topic and its dead-letter twin at start-up; existing topics are left as they are. */
@Injectable()
export class TopicProvisioner implements OnModuleInit {
  private readonly logger = new Logger(TopicProvisioner.name);

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = ALL_TOPICS.flatMap((topic) => [topic, deadLetterTopic(topic)]).filter(
        (topic) => !existing.has(topic),
      );
      if (missing.length === 0) return;
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: this.options.topicPartitions,
          replicationFactor: -1,
        })),
      });
      this.logger.log(`created topics: ${missing.join(', ')}`);
    } finally {
      await admin.disconnect();
    }
  }
}
