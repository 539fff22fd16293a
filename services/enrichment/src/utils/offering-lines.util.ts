import { issueLines } from '@curation/config';
import { offeringUpsertedDataSchema, type OfferingUpsertedData } from '@curation/contracts';

export type OfferingLine =
  | { ok: true; line: number; offering: OfferingUpsertedData }
  | { ok: false; line: number; reason: string };

/** One NDJSON line of a catalogue file; blank lines are skipped (undefined). */
export function parseOfferingLine(text: string, line: number): OfferingLine | undefined {
  if (!text.trim()) return undefined;
  let candidate: unknown;
  try {
    candidate = JSON.parse(text);
  } catch (error) {
    return { ok: false, line, reason: `not JSON: ${(error as Error).message}` };
  }
  const result = offeringUpsertedDataSchema.safeParse(candidate);
  if (!result.success) {
    return {
      ok: false,
      line,
      reason: issueLines(result.error, '(offering)').join('; '),
    };
  }
  return { ok: true, line, offering: result.data };
}
