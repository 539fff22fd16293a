import { S3Client } from '@aws-sdk/client-s3';
import ipaddr from 'ipaddr.js';
import { Histogram, register } from 'prom-client';

export interface S3Settings {
  S3_ENDPOINT: string;
  S3_REGION: string;
  S3_ACCESS_KEY_ID: string;
  S3_SECRET_ACCESS_KEY: string;
}

const S3_REQUEST_METRIC = 'curation_s3_request_duration_seconds';

/** One histogram per process, whichever module copy or app asks first. */
function s3RequestSeconds(): Histogram<'command' | 'outcome'> {
  return (
    (register.getSingleMetric(S3_REQUEST_METRIC) as Histogram<'command' | 'outcome'>) ??
    new Histogram({
      name: S3_REQUEST_METRIC,
      help: 'S3 requests by command (PutObjectCommand, GetObjectCommand, ...) and outcome (ok, error), retries included',
      labelNames: ['command', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    })
  );
}

/** TLS, or a connection that never leaves the machine. */
function transportProtectsBody(endpoint: string): boolean {
  const { protocol, hostname } = new URL(endpoint);
  if (protocol === 'https:' || hostname === 'localhost') return true;
  const address = hostname.replace(/^\[(.*)\]$/, '$1');
  return ipaddr.isValid(address) && ipaddr.parse(address).range() === 'loopback';
}

/**
 * The SDK's default Node handler already keeps connections alive (an `http.Agent` with
 * `keepAlive: true`, 50 sockets), so no agent is passed here.
 */
export function createS3Client(settings: S3Settings): S3Client {
  const client = new S3Client({
    endpoint: settings.S3_ENDPOINT,
    region: settings.S3_REGION,
    credentials: {
      accessKeyId: settings.S3_ACCESS_KEY_ID,
      secretAccessKey: settings.S3_SECRET_ACCESS_KEY,
    },
    // S3Proxy and MinIO serve buckets by path, and S3Proxy answers the SDK's default
    // flexible checksums with 501 NotImplemented.
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // The middleware stack is resolved once per command type instead of on every request (≈ 0.35
    // of 1.45 ms CPU per request); every middleware is added below, before the first request.
    cacheMiddleware: true,
  });
  if (transportProtectsBody(settings.S3_ENDPOINT)) {
    // A signed body makes both ends hash it, and the server buffer it whole before it may store a
    // byte (S3Proxy: 3.4 vs 1.5 ms CPU per 100 KB put). Where TLS or loopback already protects the
    // bytes, the headers stay signed and the body is sent as UNSIGNED-PAYLOAD, as AWS's own SDKs
    // do over HTTPS; plain HTTP to another host keeps the signed body.
    client.middlewareStack.add(
      (next) => (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-amz-content-sha256'] =
          'UNSIGNED-PAYLOAD';
        return next(args);
      },
      { step: 'build', name: 'curationUnsignedPayload' },
    );
  }
  const seconds = s3RequestSeconds();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const stop = seconds.startTimer({ command: context.commandName ?? 'unknown' });
      try {
        const output = await next(args);
        stop({ outcome: 'ok' });
        return output;
      } catch (error) {
        stop({ outcome: 'error' });
        throw error;
      }
    },
    { step: 'deserialize', name: 'curationRequestMetrics', priority: 'low' },
  );
  return client;
}
