import { z } from 'zod';
import { httpUrl } from './shared.schemas';

/** Raw bodies above this size are not copied into the event (Kafka's default message limit is 1 MB). */
export const OPENPROJECT_WEBHOOK_BODY_LIMIT_BYTES = 256 * 1024;

/**
 * A signed OpenProject webhook, stored before it is answered so nothing is lost. The consumer
 * reloads the current work package, so the body is kept for audit and replays only.
 */
export const openProjectWebhookDataSchema = z.object({
  action: z.string().min(1),
  workPackageId: z.number().int().positive(),
  openProjectBaseUrl: httpUrl,
  receivedAt: z.iso.datetime({ offset: true }),
  /** `lockVersion` as the webhook carried it, when it did. */
  lockVersion: z.number().int().nonnegative().optional(),
  /** The raw JSON body as OpenProject sent it, unless larger than the limit above. */
  body: z.string().min(2).max(OPENPROJECT_WEBHOOK_BODY_LIMIT_BYTES).optional(),
  bodyBytes: z.number().int().nonnegative(),
});
export type OpenProjectWebhookData = z.infer<typeof openProjectWebhookDataSchema>;
