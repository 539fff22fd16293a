import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  Topic,
  httpUrl,
  itemIdForUrl,
  itemPrioritySchema,
  offeringEventKey,
  offeringUpsertedDataSchema,
  type ItemReceivedData,
} from '@curation/contracts';
import { markdownInertParagraphs } from '@curation/content';
import { EventPublisher } from '@curation/kafka';
import { ItemStatusService } from '../operations/item-status.service';
import { issueLines } from '@curation/config';
import { APP_CONFIG } from '@curation/platform';
import { z } from 'zod';
import type { IngestionConfig } from '../config/ingestion.config';
import { descriptionsCutTotal, submissionsTotal } from '../ingestion.metrics';
import { capDescription } from './description-cap';
import { canonicaliseUrl } from './url-canonicaliser';

const MAX_OFFERINGS_PER_REQUEST = 5000;
const OFFERINGS_PER_BATCH = 200;

export const submissionSchema = z.strictObject({
  url: z.string().trim().pipe(httpUrl),
  topics: z.array(z.string().trim().min(1)).min(1),
  imageUrl: z.string().trim().pipe(httpUrl).optional(),
  title: z.string().trim().min(1).max(500).optional(),
  /** Plain text; paragraphs separated by blank lines. */
  description: z.string().trim().min(1).max(50000).optional(),
  /** `bulk` for imports and backfills: the item waits while editors' items are waiting. */
  priority: itemPrioritySchema.optional(),
});

const offeringsSchema = z.array(offeringUpsertedDataSchema).max(MAX_OFFERINGS_PER_REQUEST);

export type ValidationOutcome<T> =
  | { kind: 'accepted'; value: T }
  | { kind: 'invalid'; problems: string[] }
  | { kind: 'unavailable'; reason: string };

/** Items and offerings submitted by other tools through the JSON API. */
@Injectable()
export class SubmissionService {
  private readonly logger = new Logger(SubmissionService.name);

  constructor(
    private readonly publisher: EventPublisher,
    @Inject(APP_CONFIG) private readonly config: IngestionConfig,
    private readonly status: ItemStatusService,
  ) {}

  async submitItem(
    body: unknown,
  ): Promise<ValidationOutcome<{ itemId: string; revision: number }>> {
    const parsed = submissionSchema.safeParse(body);
    if (!parsed.success) {
      submissionsTotal.inc({ kind: 'item', outcome: 'invalid' });
      return { kind: 'invalid', problems: issueLines(parsed.error, '(body)') };
    }
    const submission = parsed.data;
    const url = canonicaliseUrl(submission.url);
    const itemId = itemIdForUrl(url);
    const description = submission.description
      ? capDescription(
          markdownInertParagraphs(submission.description),
          this.config.DESCRIPTION_MAX_BYTES,
        )
      : undefined;
    if (description?.cut) descriptionsCutTotal.inc({ source: 'submission' });
    // Every submission is a new upstream version of the item.
    const revision = Date.now();
    const data: ItemReceivedData = {
      source: 'submission',
      url,
      originalUrl: submission.url,
      ...(submission.title ? { title: submission.title } : {}),
      ...(description ? { descriptionHtml: description.html } : {}),
      ...(description?.cut ? { descriptionCut: description.cut } : {}),
      topics: submission.topics,
      ...(submission.imageUrl ? { imageUrl: submission.imageUrl } : {}),
      updatedAt: new Date().toISOString(),
      customFields: { cleanUrl: url, medigyTopics: submission.topics, sourceUrl: submission.url },
      ...(submission.priority ? { priority: submission.priority } : {}),
    };
    try {
      await this.publisher.publish(
        Topic.ItemReceived,
        { itemId, revision, data },
        { timeoutMs: this.config.INGESTION_PUBLISH_TIMEOUT_MS },
      );
    } catch (error) {
      return this.unavailable('item', error);
    }
    submissionsTotal.inc({ kind: 'item', outcome: 'accepted' });
    await this.markAccepted(itemId, revision, url);
    return { kind: 'accepted', value: { itemId, revision } };
  }

  /** All or nothing: one invalid offering rejects the request, listing every problem. */
  async submitOfferings(body: unknown): Promise<ValidationOutcome<{ accepted: number }>> {
    const parsed = offeringsSchema.safeParse(body);
    if (!parsed.success) {
      submissionsTotal.inc({ kind: 'offering', outcome: 'invalid' });
      return { kind: 'invalid', problems: issueLines(parsed.error, '(body)') };
    }
    const revision = Date.now();
    try {
      // Batches keep each produce request well under Kafka's 1 MB default.
      for (let start = 0; start < parsed.data.length; start += OFFERINGS_PER_BATCH) {
        await this.publisher.publishMany(
          Topic.OfferingUpserted,
          parsed.data.slice(start, start + OFFERINGS_PER_BATCH).map((offering) => ({
            itemId: offeringEventKey(offering.offeringId),
            revision,
            data: offering,
          })),
          { timeoutMs: this.config.INGESTION_PUBLISH_TIMEOUT_MS },
        );
      }
    } catch (error) {
      // Batches already written are upserts: sending the whole request again is harmless.
      return this.unavailable('offering', error);
    }
    submissionsTotal.inc({ kind: 'offering', outcome: 'accepted' }, parsed.data.length);
    return { kind: 'accepted', value: { accepted: parsed.data.length } };
  }

  /**
   * The status describes the new revision from now on. The item is already safely in Kafka, so
   * a status store that is away does not fail the request: the status catches up from the event.
   */
  private async markAccepted(itemId: string, revision: number, url: string): Promise<void> {
    try {
      await this.status.accepted(itemId, revision, url);
    } catch (error) {
      this.logger.warn(`status of ${itemId} r${revision} not marked: ${(error as Error).message}`);
    }
  }

  private unavailable(
    kind: 'item' | 'offering',
    error: unknown,
  ): { kind: 'unavailable'; reason: string } {
    const reason = (error as Error).message;
    this.logger.error(`could not store the ${kind} submission: ${reason}`);
    submissionsTotal.inc({ kind, outcome: 'unavailable' });
    return { kind: 'unavailable', reason };
  }
}
