export * from './config-error';
export * from './environment.schemas';
export * from './load-config';
export * from './config-groups';
