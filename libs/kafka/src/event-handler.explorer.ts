import {
  Inject,
  Injectable,
  OnModuleInit,
  type FactoryProvider,
  type InjectionToken,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModuleRef, Reflector } from '@nestjs/core';
import { APP_CONFIG, ReadinessRegistry } from '@curation/platform';
import type { Kafka } from 'kafkajs';
import { EventConsumer } from './event-consumer';
import { EventPublisher } from './event-publisher';
import { KAFKA_OPTIONS, type KafkaOptions } from './kafka.options';
import { KAFKA_CLIENT } from './kafka.tokens';
import { routeHandlers, type DeclaredHandler } from './event-handler-routes';
import { EVENT_HANDLER_METADATA, type EventHandlerMetadata } from './on-event.decorator';

/** The provider token of the EventConsumer of a consumer group of its own. */
export function eventConsumerToken(group: string): string {
  return `EventConsumer:${group}`;
}

/** Finds the methods declared with `@OnEvent`/`@OnEventBatch`/`@OnRawMessage` and subscribes them. */
@Injectable()
export class EventHandlerExplorer implements OnModuleInit {
  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
    @Inject(EventConsumer) private readonly consumer: EventConsumer,
  ) {}

  onModuleInit(): void {
    for (const [group, routes] of routeHandlers(this.declaredHandlers())) {
      const consumer = group
        ? this.moduleRef.get<EventConsumer>(eventConsumerToken(group), { strict: false })
        : this.consumer;
      for (const [topic, { kind, handle }] of routes) {
        if (kind === 'batch') consumer.subscribeBatch(topic as never, handle as never);
        else if (kind === 'raw') consumer.subscribeRaw(topic, handle as never);
        else consumer.subscribe(topic as never, handle as never);
      }
    }
  }

  private declaredHandlers(): DeclaredHandler[] {
    const handlers: DeclaredHandler[] = [];
    const seen = new Set<object>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || !wrapper.isDependencyTreeStatic() || seen.has(instance)) continue;
      seen.add(instance);
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        // Read from the class, so a method replaced on the instance (a test's) keeps its route.
        const declared = this.reflector.get<EventHandlerMetadata | undefined>(
          EVENT_HANDLER_METADATA,
          (prototype as Record<string, unknown>)[method] as () => unknown,
        );
        if (!declared || (declared.when && !declared.when(this.config()))) continue;
        for (const topic of declared.topics) {
          handlers.push({
            name: `${instance.constructor.name}.${method}`,
            kind: declared.kind,
            topic,
            group: declared.group ?? '',
            // Looked up per call, so a test can replace the method on the instance.
            handle: (...args: never[]) =>
              (instance[method] as (...args: never[]) => Promise<unknown>).apply(instance, args),
          });
        }
      }
    }
    return handlers;
  }

  private config(): unknown {
    return this.moduleRef.get(APP_CONFIG, { strict: false });
  }
}

/**
 * The EventConsumer of a consumer group of the service's own (`<prefix>.<service>.<group>`), for
 * handlers declared with `{ group }`; it joins only once `startWhen` (built from `inject`) says yes.
 */
export function eventConsumerProvider(
  group: string,
  startWhen?: {
    inject: InjectionToken[];
    useFactory: (...dependencies: never[]) => () => Promise<boolean>;
  },
): FactoryProvider<EventConsumer> {
  return {
    provide: eventConsumerToken(group),
    inject: [
      KAFKA_CLIENT,
      KAFKA_OPTIONS,
      EventPublisher,
      { token: ReadinessRegistry, optional: true },
      ...(startWhen?.inject ?? []),
    ],
    useFactory: (
      kafka: Kafka,
      options: KafkaOptions,
      publisher: EventPublisher,
      readiness: ReadinessRegistry | undefined,
      ...dependencies: unknown[]
    ) => {
      const consumer = new EventConsumer(
        kafka,
        { ...options, serviceName: `${options.serviceName}.${group}` },
        publisher,
        readiness,
      );
      if (startWhen) consumer.startOnlyWhen(startWhen.useFactory(...(dependencies as never[])));
      return consumer;
    },
  };
}
