import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';

export interface BootstrapOptions {
  /** Largest JSON body accepted (express's default is 100 kB). */
  jsonBodyLimitBytes?: number;
}

/**
 * Starts a service's HTTP server; SIGTERM and SIGINT run Nest's shutdown hooks, so consumers
 * finish the message in hand and producers flush before the process exits.
 */
export async function bootstrapService(
  module: DynamicModule,
  port: number,
  options: BootstrapOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bufferLogs: true,
    rawBody: true,
  });
  if (options.jsonBodyLimitBytes) app.useBodyParser('json', { limit: options.jsonBodyLimitBytes });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.listen(port, '0.0.0.0');
  return app;
}
