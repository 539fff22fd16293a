import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';

/**
 * Starts a service's HTTP server; SIGTERM and SIGINT run Nest's shutdown hooks, so consumers
 * finish the message in hand and producers flush before the process exits.
 */
export async function bootstrapService(
  module: DynamicModule,
  port: number,
): Promise<INestApplication> {
  const app = await NestFactory.create(module, { bufferLogs: true, rawBody: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.listen(port, '0.0.0.0');
  return app;
}
