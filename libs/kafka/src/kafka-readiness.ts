import { Inject, Injectable, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { ReadinessRegistry } from '@curation/platform';
import type { Admin, Kafka } from 'kafkajs';
import { KAFKA_CLIENT } from './kafka.tokens';

/** Ready means the broker answers a metadata request now, not that it once did. */
@Injectable()
export class KafkaReadiness implements OnModuleInit, OnApplicationShutdown {
  private readonly admin: Admin;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    @Optional() private readonly readiness?: ReadinessRegistry,
  ) {
    this.admin = kafka.admin();
  }

  async onModuleInit(): Promise<void> {
    if (!this.readiness) return;
    await this.admin.connect();
    this.readiness.register('kafka', async () => {
      await this.admin.describeCluster();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin.disconnect();
  }
}
