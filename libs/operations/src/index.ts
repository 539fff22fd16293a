export * from './item-status';
export * from './item-status.service';
export * from './item-operations.service';
export * from './operations.module';
export * from './operations.options';
export * from './queue-dashboard';
export * from './public-failure-reason';
export * from './pipeline-backlog';
