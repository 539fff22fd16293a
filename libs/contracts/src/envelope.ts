import { z } from 'zod';

export const TRACEPARENT_PATTERN = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The envelope every event travels in; `data` is the event's own schema. `version` is what
 * producers write; `alsoReads` are older versions consumers still accept (for one release).
 */
export function envelopeSchema<Data extends z.ZodType>(
  type: string,
  version: number,
  data: Data,
  alsoReads: number[] = [],
) {
  return z.object({
    id: z.uuid(),
    type: z.literal(type),
    version: z.literal([version, ...alsoReads]),
    itemId: z.uuid(),
    revision: z.number().int().nonnegative(),
    occurredAt: z.iso.datetime({ offset: true }),
    traceparent: z.string().regex(TRACEPARENT_PATTERN).optional(),
    data,
  });
}
