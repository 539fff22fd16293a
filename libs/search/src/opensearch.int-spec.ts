import { testEnvironment, uniqueName } from '@curation/testing';
import { createOpenSearchClient } from './opensearch-client.factory';

describe('OpenSearch node with the modules the pipeline needs', () => {
  const client = createOpenSearchClient(testEnvironment().OPENSEARCH_URL);
  const index = uniqueName('search-test');

  afterAll(() => client.indices.delete({ index, ignore_unavailable: true }));

  it('indexes with the english analyzer and html_strip, then finds by a stemmed word', async () => {
    await client.indices.create({
      index,
      body: {
        settings: {
          analysis: {
            analyzer: {
              article: {
                type: 'custom',
                tokenizer: 'standard',
                char_filter: ['html_strip'],
                filter: ['lowercase', 'asciifolding', 'porter_stem'],
              },
            },
          },
        },
        mappings: {
          properties: {
            body: { type: 'text', analyzer: 'article' },
            title: { type: 'text', analyzer: 'english' },
          },
        },
      },
    });
    await client.index({
      index,
      id: 'one',
      refresh: true,
      body: {
        title: 'NHSX sets out digital guidance',
        body: '<p>Trusts are <b>exploring</b> remote monitoring</p>',
      },
    });
    await client.index({
      index,
      id: 'two',
      refresh: true,
      body: { title: 'Other', body: '<p>Unrelated text</p>' },
    });

    const found = await client.search({ index, body: { query: { match: { body: 'explore' } } } });
    expect(found.body.hits.hits.map((hit) => hit._id)).toEqual(['one']);
    const byTitle = await client.search({
      index,
      body: { query: { match: { title: 'guidances' } } },
    });
    expect(byTitle.body.hits.hits.map((hit) => hit._id)).toEqual(['one']);
    const markup = await client.search({ index, body: { query: { match: { body: 'b' } } } });
    expect(markup.body.hits.hits).toHaveLength(0);
  });
});
