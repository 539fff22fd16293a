import { revisionJobId, type ItemReceivedData } from '@curation/contracts';

/** One page fetch: everything needed to build the `enriched` event, so no other lookup is needed. */
export interface PageFetchJob {
  itemId: string;
  revision: number;
  traceparent?: string;
  received: ItemReceivedData;
  /** `reextract`: extraction runs again on the page kept for this revision, with no fetch. */
  trigger: 'received' | 'relink' | 'reextract';
}

/** One job per item revision, so redelivery never doubles work. */
export function pageFetchJobId(itemId: string, revision: number): string {
  return revisionJobId(itemId, revision);
}

export const PAGE_FETCH_BACKOFF = 'page-fetch';
