export * from './app-config.module';
export * from './bootstrap-service';
export * from './platform.module';
export * from './readiness.registry';
export * from './log-context';
export * from './draining-worker-host';
export * from './body-parsers';
