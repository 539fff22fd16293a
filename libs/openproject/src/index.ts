export * from './custom-fields';
export * from './hal-links';
export * from './hal.schemas';
export * from './openproject.client';
export * from './openproject.errors';
