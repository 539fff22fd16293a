export * from './opensearch-client.factory';
