import { ConfigError, loadConfig, type Environment } from '@curation/config';
import { telemetryConfigSchema, tracesEndpointOf } from './telemetry.config';

export interface RunningTelemetry {
  /** Exports the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

let running: RunningTelemetry | undefined;

/**
 * Starts tracing when an OTLP endpoint is configured and returns whether it did. Must run before
 * anything else is required: the instrumentations patch http, undici and ioredis as they load.
 * Without an endpoint neither the SDK nor any instrumentation is loaded, so a service that
 * exports no traces pays nothing for them.
 */
export function startTelemetry(serviceName: string, environment?: Environment): boolean {
  if (running) return true;
  const config = loadConfig(telemetryConfigSchema, environment);
  if (!tracesEndpointOf(config)) return false;
  // Required here, not imported at the top, so that nothing of the SDK loads while tracing is off.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startTracingSdk } = require('./tracing-sdk') as typeof import('./tracing-sdk');
  running = startTracingSdk(serviceName, config);
  return true;
}

/** For a service's entry point: a bad OTEL_* variable stops the start like any other. */
export function startTelemetryOrExit(serviceName: string): void {
  try {
    startTelemetry(serviceName);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${serviceName} failed to start: ${error.message}`);
    process.exit(1);
  }
}

export function telemetryStarted(): boolean {
  return running !== undefined;
}

export async function shutdownTelemetry(): Promise<void> {
  const stopping = running;
  running = undefined;
  await stopping?.shutdown();
}
