import { DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { activeTraceLogFields, TelemetryShutdown } from '@curation/telemetry';
import { LoggerModule } from 'nestjs-pino';
import { collectDefaultMetrics, register } from 'prom-client';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { SERVICE_LABEL } from './metrics';
import { ReadinessRegistry } from './readiness.registry';

/** Credentials a request or response carries: API tokens, Basic auth, cookies, webhook HMACs. */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-op-signature"]',
  'res.headers["set-cookie"]',
];

export interface PlatformOptions {
  serviceName: string;
  logLevel: string;
}

/** What every service has: JSON logs, /health/live, /health/ready and /metrics. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    register.setDefaultLabels({ [SERVICE_LABEL]: options.serviceName });
    if (!register.getSingleMetric('process_cpu_seconds_total')) collectDefaultMetrics();
    return {
      module: PlatformModule,
      imports: [
        TerminusModule.forRoot({ logger: false }),
        LoggerModule.forRoot({
          pinoHttp: {
            name: options.serviceName,
            level: options.logLevel,
            autoLogging: { ignore: (request) => request.url?.startsWith('/health') ?? false },
            redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
            // trace_id and span_id of the span a line is logged in, to find its trace in Jaeger.
            mixin: activeTraceLogFields,
          },
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [ReadinessRegistry, TelemetryShutdown],
      exports: [ReadinessRegistry],
    };
  }
}
