import {
  Counter,
  Gauge,
  Histogram,
  register,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
} from 'prom-client';

/** Every metric the pipeline defines starts with this; Node's runtime metrics keep their standard names. */
export const METRIC_PREFIX = 'curation_';

/**
 * The label naming the service on every sample. Not `service`: the Prometheus Operator adds a
 * `service` target label, which would rename ours to `exported_service`.
 */
export const SERVICE_LABEL = 'curation_service';

/** Seconds buckets for I/O that takes milliseconds to tens of seconds (fetches, renders, bulk writes). */
export const IO_SECONDS_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

function checkedName(name: string, suffixes: readonly string[], kind: string): string {
  if (!name.startsWith(METRIC_PREFIX) || !suffixes.some((suffix) => name.endsWith(suffix))) {
    throw new Error(
      `metric ${name}: a ${kind} is named ${METRIC_PREFIX}<what>{${suffixes.join('|')}}`,
    );
  }
  return name;
}

/** The metric already registered under this name (a second app in one process), else a new one. */
function registered<M>(name: string, create: () => M): M {
  return (register.getSingleMetric(name) as M | undefined) ?? create();
}

export function pipelineCounter<Label extends string = string>(
  configuration: CounterConfiguration<Label>,
): Counter<Label> {
  const name = checkedName(configuration.name, ['_total'], 'counter');
  return registered(name, () => new Counter(configuration));
}

/** Histograms carry their unit: `_seconds` or `_bytes`. */
export function pipelineHistogram<Label extends string = string>(
  configuration: HistogramConfiguration<Label>,
): Histogram<Label> {
  const name = checkedName(configuration.name, ['_seconds', '_bytes'], 'histogram');
  return registered(name, () => new Histogram(configuration));
}

/** Gauges carry what they count (`_jobs`, `_messages`) or their unit (`_timestamp_seconds`). */
export function pipelineGauge<Label extends string = string>(
  configuration: GaugeConfiguration<Label>,
): Gauge<Label> {
  const name = checkedName(configuration.name, ['_jobs', '_messages', '_seconds'], 'gauge');
  return registered(name, () => new Gauge(configuration));
}
