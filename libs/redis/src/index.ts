export * from './host-throttle.repository';
export * from './redis.module';
