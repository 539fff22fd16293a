type TelemetryApi = typeof import('./index');

/**
 * Each case loads the library afresh with the SDK module replaced by a probe, so it can tell
 * whether the SDK was loaded at all, not only whether it was started.
 */
function loadTelemetry() {
  const probe = { sdkLoaded: false, startedFor: [] as string[] };
  jest.resetModules();
  jest.doMock('./tracing-sdk', () => {
    probe.sdkLoaded = true;
    return {
      startTracingSdk: (serviceName: string) => {
        probe.startedFor.push(serviceName);
        return { shutdown: async () => undefined };
      },
    };
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const api = require('./index') as TelemetryApi;
  return { api, probe };
}

describe('startTelemetry', () => {
  it('loads no SDK and no instrumentation without an OTLP endpoint', () => {
    const { api, probe } = loadTelemetry();
    expect(api.startTelemetry('enrichment', {})).toBe(false);
    expect(probe).toEqual({ sdkLoaded: false, startedFor: [] });
    expect(api.telemetryStarted()).toBe(false);
    expect(api.queueTelemetry()).toBeUndefined();
  });

  it('counts an empty endpoint as unset, as compose passes an unset variable', () => {
    const { api, probe } = loadTelemetry();
    expect(api.startTelemetry('enrichment', { OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBe(false);
    expect(probe.sdkLoaded).toBe(false);
  });

  it('stays off when OTEL_SDK_DISABLED says so, endpoint or not', () => {
    const { api, probe } = loadTelemetry();
    const environment = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318',
      OTEL_SDK_DISABLED: 'true',
    };
    expect(api.startTelemetry('enrichment', environment)).toBe(false);
    expect(probe.sdkLoaded).toBe(false);
  });

  it.each([['OTEL_EXPORTER_OTLP_ENDPOINT'], ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']])(
    'starts the SDK, named after the service, when %s is set',
    (variable) => {
      const { api, probe } = loadTelemetry();
      expect(api.startTelemetry('search-indexing', { [variable]: 'http://jaeger:4318' })).toBe(
        true,
      );
      expect(probe).toEqual({ sdkLoaded: true, startedFor: ['search-indexing'] });
      expect(api.telemetryStarted()).toBe(true);
      expect(api.queueTelemetry()).toBeDefined();
    },
  );

  it('refuses an endpoint that is not an http(s) URL, naming the variable', () => {
    const { api, probe } = loadTelemetry();
    expect(() =>
      api.startTelemetry('ingestion', { OTEL_EXPORTER_OTLP_ENDPOINT: 'jaeger:4318' }),
    ).toThrow(/Invalid configuration:\s+- OTEL_EXPORTER_OTLP_ENDPOINT: /);
    expect(probe.sdkLoaded).toBe(false);
  });
});
