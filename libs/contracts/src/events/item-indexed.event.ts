import { z } from 'zod';

export const itemIndexedDataSchema = z.object({
  index: z.string().min(1),
  documentKey: z.string().min(1),
  bucket: z.string().min(1),
});
export type ItemIndexedData = z.infer<typeof itemIndexedDataSchema>;
