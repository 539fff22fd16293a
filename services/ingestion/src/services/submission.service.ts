import { Injectable } from '@nestjs/common';
import {
  Topic,
  httpUrl,
  itemIdForUrl,
  offeringEventKey,
  offeringUpsertedDataSchema,
  type ItemReceivedData,
} from '@curation/contracts';
import { EventPublisher } from '@curation/kafka';
import { z } from 'zod';
import { submissionsTotal } from '../ingestion.metrics';
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
});
export type Submission = z.infer<typeof submissionSchema>;

const offeringsSchema = z.array(offeringUpsertedDataSchema).max(MAX_OFFERINGS_PER_REQUEST);

export type ValidationOutcome<T> =
  { kind: 'accepted'; value: T } | { kind: 'invalid'; problems: string[] };

function problemsOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Plain text as HTML paragraphs, every character escaped. */
function paragraphsOf(text: string): string {
  return text
    .split(/\r?\n\s*\r?\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .map(
      (paragraph) =>
        `<p>${paragraph.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character])}</p>`,
    )
    .join('');
}

/** Items and offerings submitted by other tools through the JSON API. */
@Injectable()
export class SubmissionService {
  constructor(private readonly publisher: EventPublisher) {}

  async submitItem(body: unknown): Promise<ValidationOutcome<{ itemId: string }>> {
    const parsed = submissionSchema.safeParse(body);
    if (!parsed.success) {
      submissionsTotal.inc({ kind: 'item', outcome: 'invalid' });
      return { kind: 'invalid', problems: problemsOf(parsed.error) };
    }
    const submission = parsed.data;
    const url = canonicaliseUrl(submission.url);
    const itemId = itemIdForUrl(url);
    const data: ItemReceivedData = {
      source: 'submission',
      url,
      originalUrl: submission.url,
      ...(submission.title ? { title: submission.title } : {}),
      ...(submission.description ? { descriptionHtml: paragraphsOf(submission.description) } : {}),
      topics: submission.topics,
      ...(submission.imageUrl ? { imageUrl: submission.imageUrl } : {}),
      updatedAt: new Date().toISOString(),
      customFields: { cleanUrl: url, medigyTopics: submission.topics, sourceUrl: submission.url },
    };
    // Every submission is a new upstream version of the item.
    await this.publisher.publish(Topic.ItemReceived, { itemId, revision: Date.now(), data });
    submissionsTotal.inc({ kind: 'item', outcome: 'accepted' });
    return { kind: 'accepted', value: { itemId } };
  }

  /** All or nothing: one invalid offering rejects the request, listing every problem. */
  async submitOfferings(body: unknown): Promise<ValidationOutcome<{ accepted: number }>> {
    const parsed = offeringsSchema.safeParse(body);
    if (!parsed.success) {
      submissionsTotal.inc({ kind: 'offering', outcome: 'invalid' });
      return { kind: 'invalid', problems: problemsOf(parsed.error) };
    }
    const revision = Date.now();
    // Batches keep each produce request well under Kafka's 1 MB default.
    for (let start = 0; start < parsed.data.length; start += OFFERINGS_PER_BATCH) {
      await this.publisher.publishMany(
        Topic.OfferingUpserted,
        parsed.data.slice(start, start + OFFERINGS_PER_BATCH).map((offering) => ({
          itemId: offeringEventKey(offering.offeringId),
          revision,
          data: offering,
        })),
      );
    }
    submissionsTotal.inc({ kind: 'offering', outcome: 'accepted' }, parsed.data.length);
    return { kind: 'accepted', value: { accepted: parsed.data.length } };
  }
}
