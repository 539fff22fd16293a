import { z } from 'zod';
import { httpUrl } from './shared.schemas';

/** A signed OpenProject webhook, stored verbatim before it is answered so nothing is lost. */
export const openProjectWebhookDataSchema = z.object({
  action: z.string().min(1),
  workPackageId: z.number().int().positive(),
  openProjectBaseUrl: httpUrl,
  receivedAt: z.iso.datetime({ offset: true }),
  /** The raw JSON body as OpenProject sent it. */
  body: z.string().min(2),
});
export type OpenProjectWebhookData = z.infer<typeof openProjectWebhookDataSchema>;
