import { randomUUID } from 'node:crypto';
import { issueLines } from '@curation/config';
import { z } from 'zod';
import { envelopeSchema } from './envelope';
import { itemEnrichedDataSchema } from './events/item-enriched.event';
import { itemFailedDataSchema } from './events/item-failed.event';
import { itemImagedDataSchema } from './events/item-imaged.event';
import { itemIndexedDataSchema } from './events/item-indexed.event';
import { itemReceivedDataSchema } from './events/item-received.event';
import { itemRemovedDataSchema } from './events/item-removed.event';
import { itemRenditionsAddedDataSchema } from './events/item-renditions-added.event';
import { offeringUpsertedDataSchema } from './events/offering-upserted.event';
import { openProjectWebhookDataSchema } from './events/openproject-webhook.event';
import { Topic } from './topics';

const SCHEMA_VERSION = 1;
/** 2: `featuredImage.main` alone names the main rendition (v1 also had `href`, `format`, `size`). */
const ITEM_IMAGED_VERSION = 2;
/** What producers write where it is not SCHEMA_VERSION; consumers also read the versions a schema lists. */
const PRODUCED_VERSION: Partial<Record<Topic, number>> = {
  [Topic.ItemImaged]: ITEM_IMAGED_VERSION,
};

/** The one place that says which event travels on which topic. */
export const eventSchemas = {
  [Topic.OpenProjectWebhook]: envelopeSchema(
    'curation.openproject.webhook',
    SCHEMA_VERSION,
    openProjectWebhookDataSchema,
  ),
  [Topic.ItemReceived]: envelopeSchema(
    'curation.item.received',
    SCHEMA_VERSION,
    itemReceivedDataSchema,
  ),
  [Topic.ItemEnriched]: envelopeSchema(
    'curation.item.enriched',
    SCHEMA_VERSION,
    itemEnrichedDataSchema,
  ),
  [Topic.ItemImaged]: envelopeSchema(
    'curation.item.imaged',
    ITEM_IMAGED_VERSION,
    itemImagedDataSchema,
    [SCHEMA_VERSION],
  ),
  [Topic.ItemRenditionsAdded]: envelopeSchema(
    'curation.item.renditions-added',
    SCHEMA_VERSION,
    itemRenditionsAddedDataSchema,
  ),
  [Topic.ItemIndexed]: envelopeSchema(
    'curation.item.indexed',
    SCHEMA_VERSION,
    itemIndexedDataSchema,
  ),
  [Topic.ItemRemoved]: envelopeSchema(
    'curation.item.removed',
    SCHEMA_VERSION,
    itemRemovedDataSchema,
  ),
  [Topic.ItemFailed]: envelopeSchema('curation.item.failed', SCHEMA_VERSION, itemFailedDataSchema),
  [Topic.OfferingUpserted]: envelopeSchema(
    'curation.offering.upserted',
    SCHEMA_VERSION,
    offeringUpsertedDataSchema,
  ),
} satisfies Record<Topic, z.ZodType>;

export type EventOf<T extends Topic> = z.infer<(typeof eventSchemas)[T]>;
export type EventDataOf<T extends Topic> = EventOf<T>['data'];

export class ContractViolationError extends Error {
  constructor(
    readonly topic: string,
    readonly problems: string[],
  ) {
    super(`Event on ${topic} breaks its contract: ${problems.join('; ')}`);
    this.name = 'ContractViolationError';
  }
}

function validate<T extends Topic>(topic: T, candidate: unknown): EventOf<T> {
  const result = eventSchemas[topic].safeParse(candidate);
  if (!result.success) {
    throw new ContractViolationError(topic, issueLines(result.error, '(event)'));
  }
  return result.data as EventOf<T>;
}

export interface NewEvent<T extends Topic> {
  itemId: string;
  revision: number;
  data: EventDataOf<T>;
  traceparent?: string;
  occurredAt?: Date;
}

/** Builds and validates an event before it is produced. */
export function createEvent<T extends Topic>(topic: T, event: NewEvent<T>): EventOf<T> {
  return validate(topic, {
    id: randomUUID(),
    type: eventSchemas[topic].shape.type.value,
    version: PRODUCED_VERSION[topic] ?? SCHEMA_VERSION,
    itemId: event.itemId,
    revision: event.revision,
    occurredAt: (event.occurredAt ?? new Date()).toISOString(),
    traceparent: event.traceparent,
    data: event.data,
  });
}

/** Parses and validates an event as it is consumed. */
export function parseEvent<T extends Topic>(topic: T, raw: Buffer | string | null): EventOf<T> {
  if (raw === null) throw new ContractViolationError(topic, ['empty message']);
  let candidate: unknown;
  try {
    candidate = JSON.parse(raw.toString());
  } catch (error) {
    throw new ContractViolationError(topic, [`not JSON: ${(error as Error).message}`]);
  }
  return validate(topic, candidate);
}
