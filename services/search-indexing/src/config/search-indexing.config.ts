import { baseFields, environmentFields, kafkaFields } from '@curation/config';
import { z } from 'zod';

export const searchIndexingConfigSchema = z.object({
  ...baseFields,
  ...kafkaFields,
  SEARCH_INDEXING_PORT: environmentFields.SEARCH_INDEXING_PORT,
});

export type SearchIndexingConfig = z.infer<typeof searchIndexingConfigSchema>;
