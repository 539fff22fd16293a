export * from './address-policy';
export * from './safe-fetch.error';
export * from './safe-http-client';
