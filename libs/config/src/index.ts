export * from './config-error';
export * from './environment.schemas';
export * from './load-config';
export * from './config-groups';
export * from './fetch-policy-rules';
export * from './production-rules';
export * from './secret-variables';
export * from './zod-issues';
