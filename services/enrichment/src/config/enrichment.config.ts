import { baseFields, environmentFields, kafkaFields } from '@curation/config';
import { z } from 'zod';

export const enrichmentConfigSchema = z.object({
  ...baseFields,
  ...kafkaFields,
  ENRICHMENT_PORT: environmentFields.ENRICHMENT_PORT,
});

export type EnrichmentConfig = z.infer<typeof enrichmentConfigSchema>;
