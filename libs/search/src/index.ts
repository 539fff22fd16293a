export * from './aliased-index';
export * from './opensearch-client.factory';
export * from './opensearch-errors';
export * from './search-client.module';
