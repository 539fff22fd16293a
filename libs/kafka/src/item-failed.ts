import { Topic, type ItemFailedData } from '@curation/contracts';
import type { EventPublisher } from './event-publisher';

export interface FailedItem {
  itemId: string;
  revision: number;
  traceparent?: string;
}

/**
 * The one place `item.failed` is published: by the worker base when a job's stage failed, and by
 * the event consumer when it dead-letters an item's event. Item status reads nothing else.
 */
export async function publishItemFailed(
  publisher: EventPublisher,
  item: FailedItem,
  failure: ItemFailedData,
): Promise<void> {
  await publisher.publish(Topic.ItemFailed, {
    itemId: item.itemId,
    revision: item.revision,
    traceparent: item.traceparent,
    data: failure,
  });
}
