import type { Telemetry } from 'bullmq';
import { telemetryStarted } from './start-telemetry';

let telemetry: Telemetry | undefined;

/**
 * The `telemetry` option of BullMQ queues and workers while tracing is on: bullmq-otel (BullMQ's
 * own) carries the adding span's context in the job's options, so a job's spans stay in the
 * trace of the item that queued it, across retries and delays.
 */
export function queueTelemetry(): Telemetry | undefined {
  if (!telemetryStarted()) return undefined;
  if (!telemetry) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { BullMQOtel } = require('bullmq-otel') as typeof import('bullmq-otel');
    telemetry = new BullMQOtel({ tracerName: 'bullmq' });
  }
  return telemetry;
}
