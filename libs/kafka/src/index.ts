export * from './dead-letter';
export * from './event-consumer';
export * from './event-publisher';
export * from './kafka.module';
export * from './kafka.options';
export * from './kafka.tokens';
export * from './permanent-event.error';
export * from './kafka-options.factory';
