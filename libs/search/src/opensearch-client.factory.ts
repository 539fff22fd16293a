import { Client } from '@opensearch-project/opensearch';
import { Counter, register } from 'prom-client';

const OPENSEARCH_REQUEST_METRIC = 'curation_opensearch_requests_total';

/** One counter per process, whichever module copy or app asks first. */
function openSearchRequests(): Counter<'method' | 'endpoint' | 'outcome'> {
  return (
    (register.getSingleMetric(OPENSEARCH_REQUEST_METRIC) as Counter<
      'method' | 'endpoint' | 'outcome'
    >) ??
    new Counter({
      name: OPENSEARCH_REQUEST_METRIC,
      help: 'OpenSearch HTTP requests by method, endpoint (_bulk, _search, _doc, ... or index) and outcome (ok, error)',
      labelNames: ['method', 'endpoint', 'outcome'] as const,
    })
  );
}

/** `/{index}/_doc/{id}` → `_doc`; `/_bulk` → `_bulk`; `/{index}` → `index`: no ids in labels. */
function endpointOf(path: string): string {
  return path.split('/').find((segment) => segment.startsWith('_')) ?? 'index';
}

/** The client's own connection pool keeps connections alive (`keepAlive: true`, 256 sockets). */
export function createOpenSearchClient(url: string): Client {
  const client = new Client({ node: url, requestTimeout: 30000, maxRetries: 3 });
  const requests = openSearchRequests();
  client.on('response', (error, result) => {
    const request = result?.meta?.request?.params;
    requests.inc({
      method: request?.method ?? 'unknown',
      endpoint: request?.path ? endpointOf(request.path) : 'unknown',
      outcome: error ? 'error' : 'ok',
    });
  });
  return client;
}
