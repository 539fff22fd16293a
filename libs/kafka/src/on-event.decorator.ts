import { SetMetadata } from '@nestjs/common';
import type { Topic } from '@curation/contracts';

export const EVENT_HANDLER_METADATA = 'curation:event-handler';

/** How a declared handler takes its messages. */
export type HandlerKind = 'message' | 'batch' | 'raw';

export interface EventHandlerOptions<Config> {
  /** A consumer group of its own, provided with `eventConsumerProvider`; default: the service's. */
  group?: string;
  /** Subscribes only when the service's APP_CONFIG says so. */
  when?: (config: Config) => boolean;
}

export interface EventHandlerMetadata {
  kind: HandlerKind;
  topics: readonly string[];
  group?: string;
  when?: (config: unknown) => boolean;
}

function declare<Config>(
  kind: HandlerKind,
  topics: string | readonly string[],
  options: EventHandlerOptions<Config>,
): MethodDecorator {
  return SetMetadata<string, EventHandlerMetadata>(EVENT_HANDLER_METADATA, {
    kind,
    topics: [topics].flat(),
    group: options.group,
    when: options.when as EventHandlerMetadata['when'],
  });
}

/** The method handles each event of these topics: `(event, context) => Promise<void>`. */
export function OnEvent<Config = never>(
  topics: Topic | readonly Topic[],
  options: EventHandlerOptions<Config> = {},
): MethodDecorator {
  return declare('message', topics, options);
}

/** The method handles the valid events of a batch together and returns the ones to dead-letter. */
export function OnEventBatch<Config = never>(
  topic: Topic,
  options: EventHandlerOptions<Config> = {},
): MethodDecorator {
  return declare('batch', topic, options);
}

/** The method handles raw messages of topics without an event schema, such as dead-letter topics. */
export function OnRawMessage<Config = never>(
  topics: string | readonly string[],
  options: EventHandlerOptions<Config> = {},
): MethodDecorator {
  return declare('raw', topics, options);
}
