import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ALL_TOPICS, deadLetterTopic } from '@curation/contracts';
import type { Kafka } from 'kafkajs';
import { KAFKA_OPTIONS, type KafkaOptions } from './kafka.options';
import { KAFKA_CLIENT } from './kafka.tokens';
import { waitUntilTopicsServed } from './topic-readiness';

/**
 * Creates every topic and its dead-letter twin at start-up and waits until their leaders serve
 * them; existing topics are left as they are.
 */
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
      const wanted = ALL_TOPICS.flatMap((topic) => [topic, deadLetterTopic(topic)]);
      const missing = wanted.filter((topic) => !existing.has(topic));
      if (missing.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({
            topic,
            numPartitions: this.options.topicPartitions,
            replicationFactor: -1,
          })),
        });
        this.logger.log(`created topics: ${missing.join(', ')}`);
      }
      // Another process may have created them a moment ago: wait for their leaders either way.
      await waitUntilTopicsServed(admin, wanted);
    } finally {
      await admin.disconnect();
    }
  }
}
