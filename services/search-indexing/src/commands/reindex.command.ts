import 'reflect-metadata';
import { loadConfig } from '@curation/config';
import { createOpenSearchClient } from '@curation/search';
import { searchIndexingConfigSchema } from '../config/search-indexing.config';
import { SearchIndexRepository } from '../repositories/search-index.repository';
import { SearchIndexSetupService } from '../services/search-index-setup.service';

/**
 * Rebuilds the search index into a new version and moves the alias to it without downtime:
 * `npx tsx services/search-indexing/src/commands/reindex.command.ts [--delete-old]`.
 */
async function main(): Promise<void> {
  const config = loadConfig(searchIndexingConfigSchema);
  const client = createOpenSearchClient(config.OPENSEARCH_URL);
  try {
    const setup = new SearchIndexSetupService(config, new SearchIndexRepository(client));
    const outcome = await setup.reindex({ deleteOld: process.argv.includes('--delete-old') });
    console.log(JSON.stringify(outcome));
  } finally {
    await client.close();
  }
}

main().catch((error: Error) => {
  console.error(`reindex failed: ${error.message}`);
  process.exit(1);
});
