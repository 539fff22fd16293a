// First: tracing patches http, undici and ioredis as they load.
import './instrumentation';
import 'reflect-metadata';
import { loadConfig } from '@curation/config';
import { bootstrapService } from '@curation/platform';
import { enrichmentConfigSchema } from './config/enrichment.config';
import { EnrichmentModule } from './enrichment.module';

async function main(): Promise<void> {
  const config = loadConfig(enrichmentConfigSchema);
  await bootstrapService(EnrichmentModule.forRoot(config), config.ENRICHMENT_PORT);
}

main().catch((error: Error) => {
  console.error(`enrichment failed to start: ${error.message}`);
  process.exit(1);
});
