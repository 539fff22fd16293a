import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { submitUntilAccepted } from '../e2e/support/pipeline-checks';
import {
  Pipeline,
  SERVICE_NAMES,
  infraEnvironment,
  isolatedEnvironment,
} from '../e2e/support/pipeline.harness';
import { PrivateKafka } from '../e2e/support/private-kafka';
import { SourceSite, articleHtml } from '../e2e/support/source-site';
import { photoJpeg } from '../support/photo-images';
import { eventually, uniqueName } from '../support/test-environment';

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: Array<{ key: string; value: OtlpValue }>;
}

interface OtlpTraceRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: Array<{ key: string; value: OtlpValue }> };
    scopeSpans?: Array<{ spans?: OtlpSpan[] }>;
  }>;
}

interface ReceivedSpan extends OtlpSpan {
  service: string;
}

const SPAN_KIND_INTERNAL = 1;
const SPAN_KIND_SERVER = 2;

function attribute(
  attributes: Array<{ key: string; value: OtlpValue }> | undefined,
  key: string,
): string | undefined {
  return attributes?.find((each) => each.key === key)?.value.stringValue;
}

/** An OTLP/HTTP receiver on loopback: what a collector or Jaeger would be given, kept in memory. */
class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (
          request.url !== '/v1/traces' ||
          request.headers['content-type'] !== 'application/json'
        ) {
          response.writeHead(415).end();
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpTraceRequest;
        for (const resourceSpans of body.resourceSpans ?? []) {
          const service = attribute(resourceSpans.resource?.attributes, 'service.name') ?? '';
          for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
            for (const span of scopeSpans.spans ?? []) this.spans.push({ ...span, service });
          }
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  traceOf(traceId: string): ReceivedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }
}

/** Spans whose parent is not in the trace: the root, and any whose parent was lost. */
function withoutParent(trace: ReceivedSpan[]): ReceivedSpan[] {
  const ids = new Set(trace.map((span) => span.spanId));
  return trace.filter((span) => !span.parentSpanId || !ids.has(span.parentSpanId));
}

/**
 * The four services from `dist` with OTLP pointed at a receiver in this test: one submitted item
 * must leave one trace, from the request to the index, through every service, with every span's
 * parent in it; its log lines carry the trace's id. Kafka is this test's own broker: on the shared
 * one, another suite's pipeline running at the same time would also handle this item's events
 * (the topics are shared), adding hops whose spans no receiver here sees.
 */
describe('OpenTelemetry traces, one per item, across the four services', () => {
  const runId = uniqueName('telemetry');
  const site = new SourceSite();
  const receiver = new OtlpReceiver();
  const kafka = new PrivateKafka();
  const logDir = mkdtempSync(join(tmpdir(), 'telemetry-'));
  let pipeline: Pipeline | undefined;
  let itemId: string;
  let itemTrace: ReceivedSpan[] = [];

  /** The spans made for the item by name (its Kafka spans) and everything in their trace. */
  const itemSpans = () =>
    receiver.spans.filter((span) => attribute(span.attributes, 'curation.item.id') === itemId);
  const traceOfItem = () => {
    const traceIds = [...new Set(itemSpans().map((span) => span.traceId))];
    return traceIds.length === 1 ? receiver.traceOf(traceIds[0]) : [];
  };

  beforeAll(async () => {
    const otlpEndpoint = await receiver.start();
    await site.start();
    const image = site.image('/images/traced.jpg', await photoJpeg(1200, 800));
    site.page('/articles/traced', articleHtml('A traced article', image));
    const brokers = await kafka.start();
    pipeline = await Pipeline.start({
      logDir,
      environment: {
        ...infraEnvironment(),
        KAFKA_BROKERS: brokers,
        ...isolatedEnvironment(runId),
        // Debug: every service then logs the events it sends, inside the item's spans.
        LOG_LEVEL: 'debug',
        OPENPROJECT_SWEEP_INTERVAL_SECONDS: '0',
        FETCH_ALLOW_HOSTS: '127.0.0.1',
        PAGE_FETCH_HOST_INTERVAL_MS: '0',
        IMAGE_FETCH_HOST_INTERVAL_MS: '0',
        SEARCH_INDEX_REPLICAS: '0',
        OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '200',
      },
    });
    const ingestion = pipeline.url('ingestion');
    ({ itemId } = await submitUntilAccepted(() => ingestion, {
      url: `${site.origin}/articles/traced`,
      topics: ['HIMSS: Digital Health'],
    }));
    await eventually(async () => {
      const response = await fetch(`${ingestion}/v1/items/${itemId}`);
      const state = response.ok ? ((await response.json()) as { state: string }).state : undefined;
      return state === 'completed' ? true : undefined;
    }, 180000);
    // Spans are exported in batches, a parent only once it has ended: wait for the whole tree,
    // then let the assertions below say what is missing if it never comes.
    await eventually(async () => {
      const trace = traceOfItem();
      const services = new Set(trace.map((span) => span.service));
      const complete =
        SERVICE_NAMES.every((name) => services.has(name)) && withoutParent(trace).length === 1;
      return complete ? true : undefined;
    }, 120000).catch(() => undefined);
    itemTrace = traceOfItem();
  }, 420000);

  afterAll(async () => {
    await pipeline?.stop();
    await site.stop();
    await receiver.stop();
    await kafka.remove();
  }, 120000);

  it('puts every span made for the item into one trace', () => {
    expect(new Set(itemSpans().map((span) => span.traceId)).size).toBe(1);
    const sent = itemTrace.filter((span) => span.name.startsWith('send ')).map((span) => span.name);
    expect(sent).toEqual(
      expect.arrayContaining([
        'send curation.item.received',
        'send curation.item.enriched',
        'send curation.item.imaged',
        'send curation.item.indexed',
      ]),
    );
  });

  it('holds spans of all four services, each process span under the span that sent its event', () => {
    expect(new Set(itemTrace.map((span) => span.service))).toEqual(new Set(SERVICE_NAMES));
    const byId = new Map(itemTrace.map((span) => [span.spanId, span]));
    const processSpans = itemTrace.filter((span) => span.name.startsWith('process curation.'));
    expect(new Set(processSpans.map((span) => span.service))).toEqual(
      new Set(['enrichment', 'image-processing', 'search-indexing', 'ingestion']),
    );
    for (const span of processSpans) {
      const parent = byId.get(span.parentSpanId ?? '');
      expect({ span: span.name, parent: parent?.name }).toEqual({
        span: span.name,
        parent: span.name.replace(/^process /, 'send '),
      });
    }
  });

  it('links every span to a parent in the trace but the request that brought the item', () => {
    const roots = withoutParent(itemTrace);
    expect(roots).toHaveLength(1);
    expect(roots[0]).toMatchObject({ service: 'ingestion', kind: SPAN_KIND_SERVER });
    expect(roots[0].parentSpanId ?? '').toBe('');
    expect(attribute(roots[0].attributes, 'http.request.method')).toBe('POST');
    expect(attribute(roots[0].attributes, 'url.path')).toBe('/v1/items');
  });

  it('traces the page and image fetches, the queues, Redis and OpenSearch inside the item', () => {
    const names = itemTrace.map((span) => `${span.service}: ${span.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^enrichment: process page-fetch/),
        expect.stringMatching(/^image-processing: process image-render/),
        // undici's page and image requests, to the stand-in site.
        'enrichment: GET',
        'image-processing: GET',
      ]),
    );
    const redisSpans = itemTrace.filter(
      (span) => attribute(span.attributes, 'db.system.name') === 'redis',
    );
    expect(redisSpans.length).toBeGreaterThan(0);
    const openSearchRequests = itemTrace.filter(
      (span) => span.service === 'search-indexing' && /^(POST|PUT|GET)$/.test(span.name),
    );
    expect(openSearchRequests.length).toBeGreaterThan(0);
  });

  it('exports no housekeeping traces: no health probes, no idle queue polls', () => {
    const probes = receiver.spans.filter((span) =>
      /^\/health|^\/metrics/.test(attribute(span.attributes, 'url.path') ?? ''),
    );
    expect(probes).toEqual([]);
    const internalRoots = receiver.spans.filter(
      (span) => !span.parentSpanId && span.kind === SPAN_KIND_INTERNAL,
    );
    expect(internalRoots.map((span) => `${span.service}: ${span.name}`)).toEqual([]);
  });

  it("writes the trace's id on the item's log lines in every service", () => {
    const traceId = itemTrace[0]?.traceId;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    for (const service of SERVICE_NAMES) {
      const lines = readFileSync(join(logDir, `${service}.log`), 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { trace_id?: string; span_id?: string });
      const traced = lines.filter((line) => line.trace_id === traceId);
      expect({ service, traced: traced.length > 0 }).toEqual({ service, traced: true });
      const spanIds = new Set(itemTrace.map((span) => span.spanId));
      expect({ service, spans: traced.every((line) => spanIds.has(line.span_id ?? '')) }).toEqual({
        service,
        spans: true,
      });
    }
  });

  // Last: stops the pipeline. Each service flushes its spans while closing (TelemetryShutdown).
  it('stops every service cleanly on SIGTERM with tracing on', async () => {
    const codes = await pipeline!.stop();
    expect(codes).toEqual(Object.fromEntries(SERVICE_NAMES.map((name) => [name, 0])));
  });
});
