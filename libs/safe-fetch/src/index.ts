export * from './address-policy';
export * from './host-throttle';
export * from './safe-fetch.error';
export * from './safe-http-client';
