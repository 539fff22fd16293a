import type { Client } from '@opensearch-project/opensearch';
import { automock } from './test-service';

/** The client's API methods (not its namespaces such as `indices`), each answered by a test. */
export type OpenSearchAnswers = {
  [K in keyof Client as Client[K] extends (...args: never[]) => unknown ? K : never]?: (
    ...args: never[]
  ) => unknown;
};

/**
 * A strict OpenSearch `Client` that answers only the given methods. They are typed loosely: the
 * client's overloads (promise and callback forms) leave no single signature for a fake to meet.
 */
export function fakeOpenSearchClient(answers: OpenSearchAnswers): Client {
  const implemented: object = answers;
  return automock<Client>('openSearch', implemented as Partial<Client>);
}
