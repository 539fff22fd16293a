import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent, errors as undiciErrors, request, type Dispatcher } from 'undici';
import { AddressPolicy, parseAddress } from './address-policy';
import { BlockedAddressError, SafeFetchError } from './safe-fetch.error';

export interface SafeFetchOptions {
  /** Body cap enforced while streaming. */
  maxBytes: number;
  connectTimeoutMs: number;
  /** Whole request including redirects and body; also catches a server that stalls after the headers. */
  totalTimeoutMs: number;
  /** Every hop is re-checked (scheme, literal address, connect-time address). */
  maxRedirects: number;
  /** Host names or CIDRs that may resolve to private addresses, on any port (FETCH_ALLOW_HOSTS). */
  allowHosts: string[];
  /** Ports allowed besides 80 and 443 (FETCH_ALLOWED_PORTS). */
  allowedPorts?: number[];
  /**
   * Origins (`scheme://host:port`) fetched even when their host is private, e.g. a self-hosted
   * OpenProject. Only a hop whose origin is exactly one of these gets that allowance: another
   * port or scheme on the same host, or a redirect elsewhere, is judged by the ordinary rules.
   */
  trustedOrigins?: string[];
  userAgent?: string;
  /** Extra request headers (e.g. Authorization); dropped on a cross-origin redirect. */
  headers?: Record<string, string>;
  accept?: string;
}

export interface SafeFetchResponse {
  /** Final URL after redirects. */
  url: string;
  status: number;
  headers: Record<string, string>;
  contentType?: string;
  body: Buffer;
}

export const DEFAULT_USER_AGENT = 'curation-pipeline/0.1 (+https://github.com/curation-pipeline)';
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const ALLOWED_PROTOCOLS = new Set(['http:', 'https:']);

/**
 * HTTP GET for untrusted URLs (SSRF-safe): http/https only, every resolved address checked at
 * connect time (so DNS rebinding cannot slip a private address in after a check), redirects
 * followed by hand and re-checked, body capped while streaming, one deadline for the whole fetch.
 */
export class SafeHttpClient {
  private readonly dispatchers = new Map<string, Agent>();

  constructor(private readonly defaults: SafeFetchOptions) {}

  async fetch(url: string, overrides: Partial<SafeFetchOptions> = {}): Promise<SafeFetchResponse> {
    const options: SafeFetchOptions = { ...this.defaults, ...overrides };
    const trusted = new Set((options.trustedOrigins ?? []).map((origin) => new URL(origin).origin));
    const signal = AbortSignal.timeout(options.totalTimeoutMs);
    let current = parseTarget(url);
    let extraHeaders = options.headers ?? {};

    for (let hop = 0; ; hop++) {
      const allowHosts = trusted.has(current.origin)
        ? [...options.allowHosts, current.hostname]
        : options.allowHosts;
      const policy = new AddressPolicy(allowHosts, options.allowedPorts);
      assertPortAllowed(current, policy, trusted);
      assertLiteralAddressAllowed(current, policy);
      const dispatcher = this.dispatcherFor(options.connectTimeoutMs, allowHosts);
      const response = await this.send(current, dispatcher, signal, options, extraHeaders);
      const location = headerValue(response.headers.location);

      if (REDIRECT_STATUSES.has(response.statusCode) && location) {
        await discard(response.body);
        if (hop >= options.maxRedirects) {
          throw new SafeFetchError(
            'too-many-redirects',
            `more than ${options.maxRedirects} redirects`,
            current.href,
          );
        }
        const next = parseTarget(location, current);
        if (next.origin !== current.origin) extraHeaders = {};
        current = next;
        continue;
      }

      const headers = flattenHeaders(response.headers);
      if (response.statusCode < 200 || response.statusCode > 299) {
        await discard(response.body);
        throw httpStatusError(current.href, response.statusCode, headers['retry-after']);
      }

      const declared = Number(headers['content-length']);
      if (Number.isFinite(declared) && declared > options.maxBytes) {
        await discard(response.body);
        throw tooLarge(current.href, options.maxBytes);
      }
      const body = await readCapped(response.body, options.maxBytes, current.href, signal);
      return {
        url: current.href,
        status: response.statusCode,
        headers,
        contentType: headers['content-type'],
        body,
      };
    }
  }

  /** Releases pooled connections; call on shutdown. */
  async close(): Promise<void> {
    const agents = [...this.dispatchers.values()];
    this.dispatchers.clear();
    await Promise.all(agents.map((agent) => agent.close()));
  }

  private async send(
    target: URL,
    dispatcher: Dispatcher,
    signal: AbortSignal,
    options: SafeFetchOptions,
    extraHeaders: Record<string, string>,
  ): Promise<Dispatcher.ResponseData> {
    try {
      return await request(target, {
        method: 'GET',
        dispatcher,
        signal,
        headersTimeout: options.totalTimeoutMs,
        bodyTimeout: options.totalTimeoutMs,
        headers: {
          ...extraHeaders,
          'user-agent': options.userAgent ?? DEFAULT_USER_AGENT,
          accept: options.accept ?? '*/*',
        },
      });
    } catch (error) {
      throw toSafeFetchError(error, target.href, signal);
    }
  }

  /**
   * One connection pool per address policy: a trusted origin's pool (whose lookup lets its private
   * host through) is only ever used for hops to that exact origin.
   */
  private dispatcherFor(connectTimeoutMs: number, allowHosts: readonly string[]): Agent {
    const key = JSON.stringify([connectTimeoutMs, [...allowHosts].sort()]);
    let agent = this.dispatchers.get(key);
    if (!agent) {
      agent = new Agent({
        connect: {
          timeout: connectTimeoutMs,
          lookup: guardedLookup(new AddressPolicy(allowHosts)),
        },
      });
      this.dispatchers.set(key, agent);
    }
    return agent;
  }
}

export type Resolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** Wraps dns.lookup so every address a name resolves to is judged right before the socket dials it. */
export function guardedLookup(
  policy: AddressPolicy,
  resolve: Resolver = dnsLookup,
): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      for (const entry of addresses) {
        const parsed = parseAddress(entry.address);
        const verdict = parsed
          ? policy.check(hostname, parsed)
          : { allowed: false, range: 'unparseable' };
        if (!verdict.allowed)
          return callback(new BlockedAddressError(hostname, entry.address, verdict.range), '', 0);
      }
      if (addresses.length === 0)
        return callback(
          Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }),
          '',
          0,
        );
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

function parseTarget(raw: string, base?: URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(raw, base);
  } catch (cause) {
    throw new SafeFetchError('bad-url', `not a valid URL: ${raw.slice(0, 200)}`, raw, { cause });
  }
  if (!ALLOWED_PROTOCOLS.has(parsed.protocol)) {
    throw new SafeFetchError('bad-scheme', `scheme ${parsed.protocol} is not allowed`, parsed.href);
  }
  if (parsed.username || parsed.password) {
    throw new SafeFetchError(
      'bad-url',
      'credentials in URLs are not allowed',
      `${parsed.protocol}//${parsed.host}`,
    );
  }
  return parsed;
}

function assertPortAllowed(target: URL, policy: AddressPolicy, trusted: Set<string>): void {
  const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  if (trusted.has(target.origin) || policy.isPortAllowed(target.hostname, port)) return;
  throw new SafeFetchError('blocked-port', `port ${port} is not allowed`, target.href);
}

/** Node dials IP literals without a lookup, so they are checked here (after WHATWG normalisation: 127.1, 0x7f.1). */
function assertLiteralAddressAllowed(target: URL, policy: AddressPolicy): void {
  const address = parseAddress(target.hostname);
  if (!address) return;
  const verdict = policy.check(target.hostname, address);
  if (!verdict.allowed) {
    throw new SafeFetchError(
      'blocked-address',
      `${target.hostname} is not a public address (${verdict.range})`,
      target.href,
    );
  }
}

async function readCapped(
  body: Dispatcher.ResponseData['body'],
  maxBytes: number,
  url: string,
  signal: AbortSignal,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        body.destroy();
        throw tooLarge(url, maxBytes);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    throw toSafeFetchError(error, url, signal);
  }
  return Buffer.concat(chunks, size);
}

async function discard(body: Dispatcher.ResponseData['body']): Promise<void> {
  // dump() reads a little to keep the connection reusable, then destroys; errors are irrelevant here.
  await body.dump({ limit: 64 * 1024 }).catch(() => undefined);
}

function tooLarge(url: string, maxBytes: number): SafeFetchError {
  return new SafeFetchError('too-large', `body exceeds ${maxBytes} bytes`, url);
}

function httpStatusError(
  url: string,
  status: number,
  retryAfter: string | undefined,
): SafeFetchError {
  const retryable = status === 408 || status === 429 || status >= 500;
  return new SafeFetchError('http-status', `HTTP ${status}`, url, {
    status,
    retryable,
    retryAfterMs: retryable ? parseRetryAfter(retryAfter) : undefined,
  });
}

/** Retry-After is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function toSafeFetchError(error: unknown, url: string, signal: AbortSignal): SafeFetchError {
  if (error instanceof SafeFetchError) return error;
  const blocked = findCause(
    error,
    (e): e is BlockedAddressError => e instanceof BlockedAddressError,
  );
  if (blocked) return new SafeFetchError('blocked-address', blocked.message, url, { cause: error });
  if (
    signal.aborted ||
    error instanceof undiciErrors.ConnectTimeoutError ||
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError
  ) {
    return new SafeFetchError('timeout', `timed out fetching ${url}`, url, {
      retryable: true,
      cause: error,
    });
  }
  const code = findCause(
    error,
    (e): e is NodeJS.ErrnoException => typeof (e as NodeJS.ErrnoException).code === 'string',
  )?.code;
  const message = error instanceof Error ? error.message : String(error);
  // A name that does not exist will not exist on the next attempt either.
  return new SafeFetchError('network', `${code ?? 'network error'}: ${message}`, url, {
    retryable: code !== 'ENOTFOUND',
    cause: error,
  });
}

function findCause<T extends Error>(
  error: unknown,
  predicate: (e: Error) => e is T,
): T | undefined {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    if (predicate(current)) return current;
    current = current.cause;
  }
  return undefined;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function flattenHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined)
      flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
