// First: tracing patches http, undici and ioredis as they load.
import './instrumentation';
import 'reflect-metadata';
import { loadConfig } from '@curation/config';
import { bootstrapService } from '@curation/platform';
import { searchIndexingConfigSchema } from './config/search-indexing.config';
import { searchIndexingHttpOptions } from './search-indexing.http';
import { SearchIndexingModule } from './search-indexing.module';

async function main(): Promise<void> {
  const config = loadConfig(searchIndexingConfigSchema);
  await bootstrapService(
    SearchIndexingModule.forRoot(config),
    config.SEARCH_INDEXING_PORT,
    searchIndexingHttpOptions(config),
  );
}

main().catch((error: Error) => {
  console.error(`search-indexing failed to start: ${error.message}`);
  process.exit(1);
});
