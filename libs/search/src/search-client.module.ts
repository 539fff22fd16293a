import { DynamicModule, Global, Module } from '@nestjs/common';
import { readinessCheckedClient } from '@curation/platform';
import { createOpenSearchClient } from './opensearch-client.factory';

export const OPENSEARCH_CLIENT = Symbol('OPENSEARCH_CLIENT');

/** The service's one OpenSearch client, reported in /health/ready as `opensearch`. */
@Global()
@Module({})
export class SearchClientModule {
  static forRoot(options: { url: string }): DynamicModule {
    return {
      module: SearchClientModule,
      providers: [
        readinessCheckedClient(
          OPENSEARCH_CLIENT,
          'opensearch',
          () => createOpenSearchClient(options.url),
          (client) => client.cluster.health({ timeout: '2s' }),
        ),
      ],
      exports: [OPENSEARCH_CLIENT],
    };
  }
}
