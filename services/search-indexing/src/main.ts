import 'reflect-metadata';
import { loadConfig } from '@curation/config';
import { bootstrapService } from '@curation/platform';
import { searchIndexingConfigSchema } from './config/search-indexing.config';
import { SearchIndexingModule } from './search-indexing.module';

async function main(): Promise<void> {
  const config = loadConfig(searchIndexingConfigSchema);
  await bootstrapService(SearchIndexingModule.forRoot(config), config.SEARCH_INDEXING_PORT);
}

main().catch((error: Error) => {
  console.error(`search-indexing failed to start: ${error.message}`);
  process.exit(1);
});
