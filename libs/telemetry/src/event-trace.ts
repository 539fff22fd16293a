import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  isSpanContextValid,
  ROOT_CONTEXT,
  trace,
  type Context,
  type Span,
  type SpanContext,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { childTraceparent } from '@curation/contracts';
import { telemetryStarted } from './start-telemetry';

// Events carry W3C trace context whatever OTEL_PROPAGATORS says about HTTP headers.
const w3c = new W3CTraceContextPropagator();

/** The span an event's traceparent names, as the remote parent of a span made for the event. */
export function contextOfTraceparent(traceparent: string | undefined): Context {
  if (!traceparent) return ROOT_CONTEXT;
  return w3c.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter);
}

/**
 * Where the span that publishes an event hangs: under the caller's span when that belongs to the
 * event's trace already (a consumer or job passing its item on), else under the traceparent the
 * event came with (a batch handler publishing for many items), else under whatever is active
 * (the request that brings a new item).
 */
export function publishParentContext(traceparent: string | undefined): Context {
  const active = context.active();
  const remote = contextOfTraceparent(traceparent);
  const given = trace.getSpanContext(remote);
  if (!given) return active;
  return trace.getSpanContext(active)?.traceId === given.traceId ? active : remote;
}

/**
 * The traceparent an event leaves with: its publishing span while tracing, so the consumer's
 * span hangs under it; without tracing a fresh span id in the same trace, for the logs.
 */
export function traceparentForEvent(span: Span, given: string | undefined): string | undefined {
  if (!telemetryStarted()) return childTraceparent(given);
  const carrier: Record<string, string> = {};
  w3c.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
  return carrier.traceparent;
}

export interface TraceLogFields {
  trace_id?: string;
  span_id?: string;
}

function logFieldsOf(spanContext: SpanContext | undefined): TraceLogFields {
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

/** trace_id and span_id of the active span, for every log line (a pino mixin); empty when off. */
export function activeTraceLogFields(): TraceLogFields {
  return logFieldsOf(trace.getActiveSpan()?.spanContext());
}

/**
 * Fields to bind to the log lines of an event's handling. While tracing, the active span gives
 * them on every line already (activeTraceLogFields); without it, the event's traceparent does.
 */
export function eventTraceLogFields(traceparent: string | undefined): TraceLogFields {
  if (telemetryStarted()) return {};
  return logFieldsOf(trace.getSpanContext(contextOfTraceparent(traceparent)));
}
