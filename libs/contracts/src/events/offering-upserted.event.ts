import { z } from 'zod';

export const offeringUpsertedDataSchema = z.object({
  offeringId: z.number().int().positive(),
  label: z.string().min(1),
  permalink: z.string().regex(/^\/offering\/[a-z0-9-]+$/),
  categories: z.array(z.string().min(1)).min(1),
  description: z.string().default(''),
});
export type OfferingUpsertedData = z.infer<typeof offeringUpsertedDataSchema>;
