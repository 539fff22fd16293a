import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** Where a page ended and what it belongs to; travels to the client signed, comes back as is. */
export interface CursorState {
  /** Hash of the normalised query (text, filters, sort) the cursor was made for. */
  query: string;
  /** Sort values of the last hit of the page: OpenSearch `search_after`. */
  after: Array<string | number>;
  /** Point in time the pages are read from (relevance order), when one could be opened. */
  pit?: string;
}

const cursorStateSchema = z.strictObject({
  query: z.string().regex(/^[0-9a-f]{64}$/),
  after: z
    .array(z.union([z.string().max(1024), z.number()]))
    .min(1)
    .max(8),
  pit: z.string().max(2048).optional(),
});

export type CursorOutcome =
  { kind: 'valid'; state: CursorState } | { kind: 'invalid'; reason: string };

/** The parts of a query that decide which hits come in which order; `size` is not one. */
export function queryFingerprint(parts: Record<string, string | undefined>): string {
  const ordered = Object.keys(parts)
    .sort()
    .map((key) => [key, parts[key] ?? null]);
  return createHash('sha256').update(JSON.stringify(ordered)).digest('hex');
}

const base64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

/**
 * Opaque cursors: base64url JSON, a dot, then an HMAC-SHA256 of that JSON. A cursor whose bytes
 * were changed, or one made for another query, is refused: the point-in-time id inside must
 * only ever be one this service opened.
 */
export class SearchCursorCodec {
  constructor(private readonly key: Buffer) {}

  encode(state: CursorState): string {
    const payload = base64url(JSON.stringify(state));
    return `${payload}.${base64url(this.sign(payload))}`;
  }

  decode(cursor: string, expectedQuery: string): CursorOutcome {
    const [payload, signature, ...rest] = cursor.split('.');
    if (!payload || !signature || rest.length > 0) {
      return { kind: 'invalid', reason: 'not a cursor of this API' };
    }
    const expected = this.sign(payload);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { kind: 'invalid', reason: 'not a cursor of this API (signature does not match)' };
    }
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return { kind: 'invalid', reason: 'not a cursor of this API' };
    }
    const parsed = cursorStateSchema.safeParse(json);
    if (!parsed.success) return { kind: 'invalid', reason: 'not a cursor of this API' };
    if (parsed.data.query !== expectedQuery) {
      return {
        kind: 'invalid',
        reason: 'made for another query: give the same q, category, brand, since, until and sort',
      };
    }
    return { kind: 'valid', state: parsed.data };
  }

  private sign(payload: string): Buffer {
    return createHmac('sha256', this.key).update(payload).digest();
  }
}
