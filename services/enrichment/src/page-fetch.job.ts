import type { ItemReceivedData } from '@curation/contracts';

/** One page fetch: everything needed to build the `enriched` event, so no other lookup is needed. */
export interface PageFetchJob {
  itemId: string;
  revision: number;
  traceparent?: string;
  received: ItemReceivedData;
  trigger: 'received' | 'relink';
}

/** BullMQ job ids must not contain ':'; one job per item revision, so redelivery never doubles work. */
export function pageFetchJobId(itemId: string, revision: number): string {
  return `${itemId}_${revision}`;
}

export const PAGE_FETCH_BACKOFF = 'page-fetch';
