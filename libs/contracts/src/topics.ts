/** Every Kafka topic of the pipeline, defined once. Each has a dead-letter twin `<topic>.dlq`. */
export const Topic = {
  OpenProjectWebhook: 'curation.openproject.webhook',
  ItemReceived: 'curation.item.received',
  ItemEnriched: 'curation.item.enriched',
  ItemImaged: 'curation.item.imaged',
  /** WebP/AVIF renditions rendered after `imaged`, off the hot path. */
  ItemRenditionsAdded: 'curation.item.renditions-added',
  ItemIndexed: 'curation.item.indexed',
  ItemRemoved: 'curation.item.removed',
  ItemFailed: 'curation.item.failed',
  OfferingUpserted: 'curation.offering.upserted',
} as const;

export type Topic = (typeof Topic)[keyof typeof Topic];

export const ALL_TOPICS: readonly Topic[] = Object.values(Topic);

export const DLQ_SUFFIX = '.dlq';

export function deadLetterTopic(topic: Topic): string {
  return `${topic}${DLQ_SUFFIX}`;
}

/**
 * Dead letters of these topics are no item's failure: offerings are not items, item.failed
 * itself would loop, and slow renditions come after the item is published (it keeps its JPEGs).
 */
const NOT_ITEM_FAILURES: ReadonlySet<string> = new Set<Topic>([
  Topic.OfferingUpserted,
  Topic.ItemFailed,
  Topic.ItemRenditionsAdded,
]);

/** Whether a dead letter of this topic is reported as the item's `item.failed`. */
export function deadLetterFailsItem(topic: string): boolean {
  return !NOT_ITEM_FAILURES.has(topic);
}
