import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  OPENPROJECT_WEBHOOK_BODY_LIMIT_BYTES,
  Topic,
  itemIdForWorkPackage,
} from '@curation/contracts';
import { EventPublisher } from '@curation/kafka';
import { idFromHref } from '@curation/openproject';
import { issueLines } from '@curation/config';
import { APP_CONFIG } from '@curation/platform';
import { z } from 'zod';
import type { IngestionConfig } from '../config/ingestion.config';
import { webhooksTotal } from '../ingestion.metrics';
import { ItemStateRepository } from '../repositories/item-state.repository';
import { isValidWebhookSignature } from './webhook-signature';

export type WebhookOutcome =
  | { kind: 'accepted'; itemId: string }
  | { kind: 'ignored'; reason: 'unhandled-action' | 'other-type' }
  | { kind: 'unauthorized' }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'malformed'; problems: string[] };

/** Actions OpenProject sends; anything else is counted as `other` so labels stay bounded. */
const KNOWN_ACTIONS = new Set([
  'work_package:created',
  'work_package:updated',
  'work_package_comment:comment',
  'attachment:created',
  'project:created',
  'project:updated',
  'time_entry:created',
]);

const WORK_PACKAGE_ACTION = /^work_package:/;

const envelopeSchema = z.object({ action: z.string().min(1) });

const workPackageBodySchema = z.object({
  work_package: z.looseObject({
    id: z.number().int().positive(),
    lockVersion: z.number().int().nonnegative().optional(),
    _links: z
      .looseObject({ type: z.looseObject({ href: z.string().nullable() }).optional() })
      .optional(),
  }),
});

/**
 * The webhook's decisions: signature, shape, whether the pipeline cares, and storing the raw
 * event in Kafka before OpenProject gets its answer (OpenProject never re-sends after one).
 */
@Injectable()
export class WebhookIntakeService {
  private readonly logger = new Logger(WebhookIntakeService.name);

  constructor(
    private readonly publisher: EventPublisher,
    private readonly state: ItemStateRepository,
    @Inject(APP_CONFIG) private readonly config: IngestionConfig,
  ) {}

  async receive(rawBody: Buffer, signature: string | undefined): Promise<WebhookOutcome> {
    const secret = this.config.OPENPROJECT_WEBHOOK_SECRET;
    if (secret && !isValidWebhookSignature(rawBody, signature, secret)) {
      webhooksTotal.inc({ action: 'unknown', outcome: 'unauthorized' });
      return { kind: 'unauthorized' };
    }
    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      return this.malformed('unknown', ['(body): not JSON']);
    }
    const envelope = envelopeSchema.safeParse(body);
    if (!envelope.success) return this.malformed('unknown', issueLines(envelope.error, '(body)'));
    const action = envelope.data.action;
    const actionLabel = KNOWN_ACTIONS.has(action) ? action : 'other';
    if (!WORK_PACKAGE_ACTION.test(action)) {
      webhooksTotal.inc({ action: actionLabel, outcome: 'ignored-action' });
      return { kind: 'ignored', reason: 'unhandled-action' };
    }
    const parsed = workPackageBodySchema.safeParse(body);
    if (!parsed.success) return this.malformed(actionLabel, issueLines(parsed.error, '(body)'));
    const workPackage = parsed.data.work_package;

    if (!(await this.concernsPipeline(workPackage.id, workPackage._links?.type?.href))) {
      webhooksTotal.inc({ action: actionLabel, outcome: 'ignored-type' });
      return { kind: 'ignored', reason: 'other-type' };
    }

    const itemId = itemIdForWorkPackage(this.config.OPENPROJECT_URL, workPackage.id);
    try {
      await this.publisher.publish(
        Topic.OpenProjectWebhook,
        {
          itemId,
          revision: workPackage.lockVersion ?? 0,
          data: {
            action,
            workPackageId: workPackage.id,
            openProjectBaseUrl: this.config.OPENPROJECT_URL,
            receivedAt: new Date().toISOString(),
            ...(workPackage.lockVersion === undefined
              ? {}
              : { lockVersion: workPackage.lockVersion }),
            ...(rawBody.length <= OPENPROJECT_WEBHOOK_BODY_LIMIT_BYTES
              ? { body: rawBody.toString('utf8') }
              : {}),
            bodyBytes: rawBody.length,
          },
        },
        { timeoutMs: this.config.INGESTION_PUBLISH_TIMEOUT_MS },
      );
    } catch (error) {
      // OpenProject drops an event answered with an error; the sweep finds what it changed.
      this.logger.error(
        `could not store webhook for work package ${workPackage.id}: ${(error as Error).message}`,
      );
      webhooksTotal.inc({ action: actionLabel, outcome: 'failed' });
      return { kind: 'unavailable', reason: (error as Error).message };
    }
    webhooksTotal.inc({ action: actionLabel, outcome: 'accepted' });
    return { kind: 'accepted', itemId };
  }

  /**
   * The curated type, or a work package published before: its type changed, so the
   * pipeline must take it off the site.
   */
  private async concernsPipeline(
    workPackageId: number,
    typeHref: string | null | undefined,
  ): Promise<boolean> {
    if (idFromHref(typeHref, 'types') === this.config.OPENPROJECT_TYPE_ID) return true;
    try {
      return await this.state.isLive(workPackageId);
    } catch (error) {
      // Without Redis the answer is unknown: keep the event, the consumer decides.
      this.logger.warn(
        `cannot tell whether work package ${workPackageId} is published: ${(error as Error).message}`,
      );
      return true;
    }
  }

  private malformed(action: string, problems: string[]): WebhookOutcome {
    webhooksTotal.inc({ action, outcome: 'malformed' });
    return { kind: 'malformed', problems };
  }
}
