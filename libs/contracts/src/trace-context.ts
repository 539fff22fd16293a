import { randomBytes } from 'node:crypto';

/**
 * W3C trace context: an item keeps one trace id from the webhook to the index; each event
 * is a span of its own. While tracing (OTEL_EXPORTER_OTLP_ENDPOINT set) the span that sends an
 * event gives its traceparent (see @curation/telemetry); without, these make one for the logs.
 */
export function newTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

export function childTraceparent(parent: string | undefined): string {
  if (!parent) return newTraceparent();
  const [version, traceId, , flags] = parent.split('-');
  return `${version}-${traceId}-${randomBytes(8).toString('hex')}-${flags}`;
}

export function traceIdOf(traceparent: string | undefined): string | undefined {
  return traceparent?.split('-')[1];
}
