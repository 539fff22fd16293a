export type SafeFetchErrorCode =
  | 'bad-url'
  | 'bad-scheme'
  | 'blocked-address'
  | 'blocked-port'
  | 'too-large'
  | 'timeout'
  | 'too-many-redirects'
  | 'http-status'
  | 'network';

export interface SafeFetchErrorDetails {
  retryable?: boolean;
  status?: number;
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * Every failure of SafeHttpClient.fetch; `retryable` tells a job runner whether another attempt
 * can help. `message` may name hosts and resolved addresses and belongs in logs only; what a
 * client, an event or a document may show is `publicReason`.
 */
export class SafeFetchError extends Error {
  override readonly name = 'SafeFetchError';
  readonly retryable: boolean;
  readonly status?: number;
  readonly retryAfterMs?: number;

  constructor(
    readonly code: SafeFetchErrorCode,
    message: string,
    readonly url: string,
    details: SafeFetchErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.retryable = details.retryable ?? false;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
  }

  /** The class of failure, never an address: `address not allowed`, `timeout`, `HTTP 404`, ... */
  get publicReason(): string {
    if (this.code === 'http-status' && this.status !== undefined) return `HTTP ${this.status}`;
    return PUBLIC_REASONS[this.code];
  }
}

const PUBLIC_REASONS: Record<SafeFetchErrorCode, string> = {
  'bad-url': 'invalid URL',
  'bad-scheme': 'scheme not allowed',
  'blocked-address': 'address not allowed',
  'blocked-port': 'port not allowed',
  'too-large': 'too large',
  timeout: 'timeout',
  'too-many-redirects': 'redirect limit',
  'http-status': 'HTTP error',
  network: 'connection failed',
};

/** Raised inside the connect-time DNS lookup; the client turns it into SafeFetchError('blocked-address'). */
export class BlockedAddressError extends Error {
  override readonly name = 'BlockedAddressError';
  readonly code = 'ERR_BLOCKED_ADDRESS';

  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(`${host} resolves to ${address} (${range}), which is not a public address`);
  }
}
