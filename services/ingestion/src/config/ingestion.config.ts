import { baseFields, environmentFields, kafkaFields } from '@curation/config';
import { z } from 'zod';

export const ingestionConfigSchema = z.object({
  ...baseFields,
  ...kafkaFields,
  INGESTION_PORT: environmentFields.INGESTION_PORT,
});

export type IngestionConfig = z.infer<typeof ingestionConfigSchema>;
