export * from './event-trace';
export * from './queue-telemetry';
export * from './start-telemetry';
export * from './telemetry-shutdown';
export * from './telemetry.config';
