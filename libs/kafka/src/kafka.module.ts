import { DynamicModule, Module, type FactoryProvider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { createKafkaClient } from './kafka-client.factory';
import { EventConsumer } from './event-consumer';
import { EventHandlerExplorer } from './event-handler.explorer';
import { EventPublisher } from './event-publisher';
import { KAFKA_OPTIONS, type KafkaOptions } from './kafka.options';
import { KafkaReadiness } from './kafka-readiness';
import { KAFKA_CLIENT } from './kafka.tokens';
import { TopicProvisioner } from './topic-provisioner';

@Module({})
export class KafkaModule {
  static forRootAsync(options: Omit<FactoryProvider<KafkaOptions>, 'provide'>): DynamicModule {
    return {
      module: KafkaModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [
        { ...options, provide: KAFKA_OPTIONS },
        { provide: KAFKA_CLIENT, useFactory: createKafkaClient, inject: [KAFKA_OPTIONS] },
        TopicProvisioner,
        KafkaReadiness,
        EventPublisher,
        EventConsumer,
        EventHandlerExplorer,
      ],
      exports: [KAFKA_CLIENT, KAFKA_OPTIONS, EventPublisher, EventConsumer],
    };
  }
}
