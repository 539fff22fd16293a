// First: tracing patches http, undici and ioredis as they load.
import './instrumentation';
import 'reflect-metadata';
import { loadConfig } from '@curation/config';
import { bootstrapService } from '@curation/platform';
import { ingestionConfigSchema } from './config/ingestion.config';
import { ingestionBodyParsers } from './ingestion-body-parsers';
import { IngestionModule } from './ingestion.module';
import { INGESTION_OPENAPI } from './ingestion.openapi';

async function main(): Promise<void> {
  const config = loadConfig(ingestionConfigSchema);
  await bootstrapService(IngestionModule.forRoot(config), config.INGESTION_PORT, {
    ...ingestionBodyParsers(config),
    openApi: INGESTION_OPENAPI,
  });
}

main().catch((error: Error) => {
  console.error(`ingestion failed to start: ${error.message}`);
  process.exit(1);
});
