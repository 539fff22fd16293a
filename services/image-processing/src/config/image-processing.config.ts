import { baseFields, environmentFields, kafkaFields } from '@curation/config';
import { z } from 'zod';

export const imageProcessingConfigSchema = z.object({
  ...baseFields,
  ...kafkaFields,
  IMAGE_PROCESSING_PORT: environmentFields.IMAGE_PROCESSING_PORT,
});

export type ImageProcessingConfig = z.infer<typeof imageProcessingConfigSchema>;
