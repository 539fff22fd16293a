import type { IncomingMessage } from 'node:http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ParentBasedSampler } from '@opentelemetry/sdk-trace';
import { HousekeepingRootSampler } from './housekeeping-root.sampler';
import type { RunningTelemetry } from './start-telemetry';
import type { TelemetryConfig } from './telemetry.config';

/** Probes and scrapes arrive every few seconds and say nothing about an item. */
const UNTRACED_PATHS = ['/health', '/metrics'];

function isUntraced(request: IncomingMessage): boolean {
  return UNTRACED_PATHS.some((path) => request.url?.startsWith(path));
}

/**
 * Loaded only when tracing is on. Kafka spans are made by @curation/kafka from the events'
 * own traceparent, which also crosses dead-letter topics and replays; BullMQ's by bullmq-otel
 * (see queueTelemetry). The OpenSearch and S3 clients speak through node:http.
 */
export function startTracingSdk(serviceName: string, config: TelemetryConfig): RunningTelemetry {
  const sdk = new NodeSDK({
    serviceName,
    // Traces only: metrics stay on /metrics for Prometheus and logs on stdout.
    metricReaders: [],
    logRecordProcessors: [],
    // OTEL_TRACES_SAMPLER, when set, replaces the default (read by the SDK itself).
    sampler: config.OTEL_TRACES_SAMPLER
      ? undefined
      : new ParentBasedSampler({ root: new HousekeepingRootSampler() }),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: isUntraced,
        // Readiness checks call out on their own; only calls made for a traced operation count.
        requireParentforOutgoingSpans: true,
      }),
      new UndiciInstrumentation({ requireParentforSpans: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  return sdk;
}
