import { Client } from '@opensearch-project/opensearch';

export function createOpenSearchClient(url: string): Client {
  return new Client({ node: url, requestTimeout: 30000, maxRetries: 3 });
}
