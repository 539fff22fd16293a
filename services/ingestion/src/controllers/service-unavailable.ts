import { ServiceUnavailableException } from '@nestjs/common';
import type { Response } from 'express';

/** Long enough for a broker restart; a client that honours it does not hammer a broker coming back. */
export const RETRY_AFTER_SECONDS = 30;

/** A 503 whose `Retry-After` tells the caller when to send the same request again. */
export function serviceUnavailable(
  response: Response,
  message: string,
): ServiceUnavailableException {
  response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
  return new ServiceUnavailableException({
    statusCode: 503,
    error: 'Service Unavailable',
    message,
    retryAfterSeconds: RETRY_AFTER_SECONDS,
  });
}
