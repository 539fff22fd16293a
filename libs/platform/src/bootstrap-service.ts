import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { configureBodyParsers, type BodyParserOptions } from './body-parsers';

export type BootstrapOptions = BodyParserOptions;

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
