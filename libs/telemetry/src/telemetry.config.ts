import { z } from 'zod';

// Compose and Kubernetes pass an unset variable as an empty string.
const optional = <Schema extends z.ZodType>(schema: Schema) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const otlpUrl = z.url({ protocol: /^https?$/ });

/**
 * The OTEL_* variables that decide whether a service traces at all. The OpenTelemetry SDK reads
 * the others itself (protocol, headers, sampler, batch sizes); the README lists them.
 */
export const telemetryConfigSchema = z.object({
  OTEL_EXPORTER_OTLP_ENDPOINT: optional(otlpUrl),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optional(otlpUrl),
  OTEL_SDK_DISABLED: optional(z.stringbool()),
  OTEL_TRACES_SAMPLER: optional(z.string()),
});

export type TelemetryConfig = z.infer<typeof telemetryConfigSchema>;

export function tracesEndpointOf(config: TelemetryConfig): string | undefined {
  if (config.OTEL_SDK_DISABLED) return undefined;
  return config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? config.OTEL_EXPORTER_OTLP_ENDPOINT;
}
