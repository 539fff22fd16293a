// First: tracing patches http, undici and ioredis as they load.
import './instrumentation';
import 'reflect-metadata';
import { loadConfig } from '@curation/config';
import { bootstrapService } from '@curation/platform';
import { imageProcessingConfigSchema } from './config/image-processing.config';
import { ImageProcessingModule } from './image-processing.module';

async function main(): Promise<void> {
  const config = loadConfig(imageProcessingConfigSchema);
  await bootstrapService(ImageProcessingModule.forRoot(config), config.IMAGE_PROCESSING_PORT);
}

main().catch((error: Error) => {
  console.error(`image-processing failed to start: ${error.message}`);
  process.exit(1);
});
