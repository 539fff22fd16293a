import { createHmac, timingSafeEqual } from 'node:crypto';

const SIGNATURE_PATTERN = /^sha1=([0-9a-f]{40})$/i;

/**
 * Checks OpenProject's `X-OP-Signature: sha1=<hex HMAC-SHA1 of the raw body>` in constant time.
 * The HMAC must be computed over the bytes as received: re-serialised JSON would not match.
 */
export function isValidWebhookSignature(
  rawBody: Buffer,
  header: string | undefined,
  secret: string,
): boolean {
  const match = header ? SIGNATURE_PATTERN.exec(header.trim()) : null;
  if (!match) return false;
  const expected = createHmac('sha1', secret).update(rawBody).digest();
  const given = Buffer.from(match[1], 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function webhookSignature(rawBody: Buffer | string, secret: string): string {
  return `sha1=${createHmac('sha1', secret).update(rawBody).digest('hex')}`;
}
