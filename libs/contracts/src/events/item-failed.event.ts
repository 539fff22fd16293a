import { z } from 'zod';

/** An item that stopped at a stage; the status view shows the reason. */
export const itemFailedDataSchema = z.object({
  stage: z.enum(['ingestion', 'enrichment', 'image-processing', 'search-indexing']),
  reason: z.string().min(1),
  attempts: z.number().int().positive(),
  retryable: z.boolean(),
  /** Set when the stage gave up on an event: the dead-letter topic holding it. */
  deadLetterTopic: z.string().optional(),
});
export type ItemFailedData = z.infer<typeof itemFailedDataSchema>;
