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
