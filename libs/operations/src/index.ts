export * from './item-status';
export * from './item-status.service';
export * from './operations.module';
export * from './queue-dashboard';
