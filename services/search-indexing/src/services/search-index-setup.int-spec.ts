import { loadConfig } from '@curation/config';
import { createOpenSearchClient } from '@curation/search';
import { testEnvironment, uniqueName } from '@curation/testing';
import { searchIndexingConfigSchema } from '../config/search-indexing.config';
import { curatedContentIndexTemplate } from '../repositories/curated-content.index-template';
import { SearchIndexRepository } from '../repositories/search-index.repository';
import { SearchIndexSetupService } from './search-index-setup.service';

describe('SearchIndexSetupService against a real OpenSearch node', () => {
  const client = createOpenSearchClient(testEnvironment().OPENSEARCH_URL);
  const config = loadConfig(searchIndexingConfigSchema, {
    ...process.env,
    SEARCH_INDEX_ALIAS: uniqueName('si-setup'),
    SEARCH_INDEX_REPLICAS: '0',
  });
  const instances = [1, 2, 3].map(
    () => new SearchIndexSetupService(config, new SearchIndexRepository(client)),
  );

  afterAll(async () => {
    await instances[0].dropAll();
    await client.close();
  });

  it('creates template, first index and alias once when several instances start at once', async () => {
    await Promise.all(instances.map((instance) => instance.ensureIndex()));
    await instances[1].ensureIndex();

    const aliases = await client.indices.getAlias({ name: config.SEARCH_INDEX_ALIAS });
    expect(Object.keys(aliases.body)).toEqual([`${config.SEARCH_INDEX_ALIAS}-v1`]);
    const mapping = await client.indices.getMapping({ index: config.SEARCH_INDEX_ALIAS });
    const properties = Object.values(mapping.body)[0].mappings.properties as Record<
      string,
      { type?: string; enabled?: boolean; analyzer?: string }
    >;
    expect(properties.body).toMatchObject({ type: 'text', analyzer: 'english_html' });
    expect(properties.categories.type).toBe('keyword');
    expect(properties.lastMod.type).toBe('date');
    expect(properties.frontMatter.enabled).toBe(false);
  });

  it('adds fields new to the template to an index made before them, keeping its documents', async () => {
    const alias = uniqueName('si-upgrade');
    const older = new SearchIndexSetupService(
      { ...config, SEARCH_INDEX_ALIAS: alias },
      new SearchIndexRepository(client),
    );
    // The index as the template made it before the page fields were added.
    const { settings, mappings } = curatedContentIndexTemplate({
      alias,
      shards: 1,
      replicas: 0,
      deleteTombstoneRetention: '24h',
    }).template;
    const { publishedAt, canonicalUrl, ...olderProperties } = mappings.properties;
    expect([publishedAt, canonicalUrl]).toEqual([expect.anything(), expect.anything()]);
    await client.indices.create({
      index: `${alias}-v1`,
      body: {
        settings,
        aliases: { [alias]: { is_write_index: true } },
        mappings: { ...mappings, properties: olderProperties },
      } as never,
    });
    await client.index({ index: alias, id: 'a', body: { itemId: 'a' }, refresh: true });
    try {
      await older.ensureIndex();
      const mapping = await client.indices.getMapping({ index: alias });
      const properties = Object.values(mapping.body)[0].mappings.properties as Record<
        string,
        { type?: string }
      >;
      expect(properties.publishedAt.type).toBe('date');
      expect(properties.canonicalUrl.type).toBe('keyword');
      await client.index({
        index: alias,
        id: 'b',
        body: { itemId: 'b', publishedAt: '2021-08-31T14:44:14.000Z' },
        refresh: true,
      });
      const count = await client.count({ index: alias });
      expect(count.body.count).toBe(2);
    } finally {
      await older.dropAll();
    }
  });
});
