import { testEnvironment, uniqueName } from '@curation/testing';
import { aliasTargets, ensureAliasedIndex, versionedIndexName } from './aliased-index';
import { createOpenSearchClient } from './opensearch-client.factory';

describe('ensureAliasedIndex against a real OpenSearch node', () => {
  const client = createOpenSearchClient(testEnvironment().OPENSEARCH_URL);
  const alias = uniqueName('aliased-test');

  afterAll(() => client.indices.delete({ index: `${alias}-*`, ignore_unavailable: true }));

  it('creates <alias>-v1 once when several instances start at once, then finds it', async () => {
    const body = { mappings: { dynamic: 'strict', properties: { name: { type: 'keyword' } } } };
    const outcomes = await Promise.all(
      Array.from({ length: 4 }, () => ensureAliasedIndex(client, alias, body)),
    );
    const first = versionedIndexName(alias, 1);
    // Whoever created the index saw nothing behind the alias; the others found the new index.
    expect(outcomes.filter((existing) => existing.length === 0).length).toBeGreaterThanOrEqual(1);
    for (const existing of outcomes) expect([[], [first]]).toContainEqual(existing);
    expect(await aliasTargets(client, alias)).toEqual([first]);
    expect(await ensureAliasedIndex(client, alias, body)).toEqual([first]);
    const mapping = await client.indices.getMapping({ index: first });
    expect(mapping.body[first].mappings.dynamic).toBe('strict');
  });

  it('finds no targets behind an alias that does not exist', async () => {
    expect(await aliasTargets(client, uniqueName('missing-alias'))).toEqual([]);
  });
});
