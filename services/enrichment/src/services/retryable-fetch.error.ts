/** Thrown into BullMQ's retry machinery; the page-fetch backoff waits at least `retryAfterMs`. */
export class RetryableFetchError extends Error {
  override readonly name = 'RetryableFetchError';

  constructor(
    message: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
