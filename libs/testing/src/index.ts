export * from './fixtures';
export * from './opensearch-client';
export * from './test-service';
export * from '../../../test/support/consumer-progress';
export * from '../../../test/support/kafka-test-module';
export * from '../../../test/support/test-environment';
