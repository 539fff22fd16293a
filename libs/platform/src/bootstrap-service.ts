import type { DynamicModule, INestApplication } from '@nestjs/common';
import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { configureBodyParsers, type BodyParserOptions } from './body-parsers';
import { setupOpenApi, type OpenApiOptions } from './openapi';

export interface BootstrapOptions extends BodyParserOptions {
  /** Serve `/openapi.json` and Swagger UI at `/docs` (see `setupOpenApi`). */
  openApi?: OpenApiOptions;
  /** Answer CORS preflights and add CORS headers; absent: none. */
  cors?: CorsOptions;
}

/**
 * Starts a service's HTTP server. SIGTERM and SIGINT close the application (consumers finish
 * the message in hand and commit, workers finish their jobs, producers flush), then the
 * process exits 0, or 1 when closing failed, so a supervisor can tell a clean stop.
 */
export async function bootstrapService(
  module: DynamicModule,
  port: number,
  options: BootstrapOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bufferLogs: true,
  });
  configureBodyParsers(app, options);
  if (options.cors) app.enableCors(options.cors);
  if (options.openApi) setupOpenApi(app, options.openApi);
  app.useLogger(app.get(Logger));
  const logger = app.get(Logger);
  let closing = false;
  const stop = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal}: closing`);
    app.close().then(
      () => process.exit(0),
      (error: Error) => {
        logger.error(`closing failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await app.listen(port, '0.0.0.0');
  return app;
}
