import { context, INVALID_SPAN_CONTEXT, ROOT_CONTEXT, trace, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import {
  activeTraceLogFields,
  eventTraceLogFields,
  publishParentContext,
  traceparentForEvent,
} from './event-trace';

const ITEM_TRACE = '0af7651916cd43dd8448eb211c80319c';
const SENT_BY = 'b7ad6b7169203331';
const traceparent = `00-${ITEM_TRACE}-${SENT_BY}-01`;

const contextManager = new AsyncLocalStorageContextManager().enable();
const provider = new TracerProvider({
  spanProcessors: [new SimpleSpanProcessor({ exporter: new InMemorySpanExporter() })],
});
const tracer = provider.getTracer('event-trace.spec');

beforeAll(() => {
  context.setGlobalContextManager(contextManager);
});

afterAll(() => {
  context.disable();
});

function parentOf(parentContext: ReturnType<typeof publishParentContext>) {
  const parent = trace.getSpanContext(parentContext);
  return parent && { traceId: parent.traceId, spanId: parent.spanId };
}

function within<R>(span: Span, work: () => R): R {
  return context.with(trace.setSpan(ROOT_CONTEXT, span), work);
}

describe('publishParentContext', () => {
  it("hangs the span under the caller's span when that is in the event's trace", () => {
    const handling = tracer.startSpan(
      'process',
      {},
      trace.setSpanContext(ROOT_CONTEXT, {
        traceId: ITEM_TRACE,
        spanId: SENT_BY,
        traceFlags: 1,
        isRemote: true,
      }),
    );
    const parent = within(handling, () => parentOf(publishParentContext(traceparent)));
    expect(parent).toEqual({ traceId: ITEM_TRACE, spanId: handling.spanContext().spanId });
  });

  it("hangs it under the event's traceparent when the caller works for another trace", () => {
    const batch = tracer.startSpan('process batch');
    expect(batch.spanContext().traceId).not.toBe(ITEM_TRACE);
    const parent = within(batch, () => parentOf(publishParentContext(traceparent)));
    expect(parent).toEqual({ traceId: ITEM_TRACE, spanId: SENT_BY });
  });

  it("hangs it under the caller's span when the event brings no traceparent", () => {
    const request = tracer.startSpan('POST /v1/items');
    const parent = within(request, () => parentOf(publishParentContext(undefined)));
    expect(parent).toEqual({
      traceId: request.spanContext().traceId,
      spanId: request.spanContext().spanId,
    });
  });

  it('starts a new trace when there is neither', () => {
    expect(parentOf(publishParentContext(undefined))).toBeUndefined();
  });
});

describe('without tracing', () => {
  it('gives each event a span id of its own in the same trace', () => {
    const next = traceparentForEvent(trace.wrapSpanContext(INVALID_SPAN_CONTEXT), traceparent);
    expect(next).toMatch(new RegExp(`^00-${ITEM_TRACE}-[0-9a-f]{16}-01$`));
    expect(next).not.toContain(SENT_BY);
  });

  it("binds the event's trace_id and span_id to its log lines", () => {
    expect(eventTraceLogFields(traceparent)).toEqual({ trace_id: ITEM_TRACE, span_id: SENT_BY });
    expect(eventTraceLogFields(undefined)).toEqual({});
  });
});

describe('activeTraceLogFields', () => {
  it('names the active span, and nothing outside one', () => {
    const span = tracer.startSpan('process');
    expect(within(span, activeTraceLogFields)).toEqual({
      trace_id: span.spanContext().traceId,
      span_id: span.spanContext().spanId,
    });
    expect(activeTraceLogFields()).toEqual({});
  });
});
