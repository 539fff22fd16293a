import { Inject, Injectable, Logger } from '@nestjs/common';
import { Topic, type EventOf } from '@curation/contracts';
import { OnEventBatch, type BatchFailure } from '@curation/kafka';
import { APP_CONFIG } from '@curation/platform';
import type { EnrichmentConfig } from '../config/enrichment.config';
import { ItemLinkRepository } from '../repositories/item-link.repository';
import { OfferingRepository } from '../repositories/offering.repository';
import { PageFetchQueueRepository } from '../repositories/page-fetch-queue.repository';

type OfferingEvent = EventOf<typeof Topic.OfferingUpserted>;

/** Keeps the offerings catalogue and re-links the items a catalogue change affects. */
@Injectable()
export class OfferingService {
  private readonly logger = new Logger(OfferingService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: EnrichmentConfig,
    private readonly offerings: OfferingRepository,
    private readonly itemLinks: ItemLinkRepository,
    private readonly queue: PageFetchQueueRepository,
  ) {}

  /** Catalogue changes arrive in batches: one bulk write and one re-link pass per batch. */
  @OnEventBatch(Topic.OfferingUpserted)
  async upsertMany(
    events: OfferingEvent[],
  ): Promise<Array<BatchFailure<typeof Topic.OfferingUpserted>>> {
    // Last event per offering wins inside a batch (they arrive in order per offering).
    const latest = new Map(events.map((event) => [event.data.offeringId, event]));
    const data = [...latest.values()].map((event) => event.data);
    // An offering that left a category must leave that category's items too.
    const previousCategories = await this.offerings.categoriesOf(
      data.map((offering) => offering.offeringId),
    );
    const failures = await this.offerings.upsertMany(data);
    const failed = new Set(failures.map((failure) => failure.offeringId));
    const affected = new Set(previousCategories);
    for (const offering of data)
      if (!failed.has(offering.offeringId)) offering.categories.forEach((c) => affected.add(c));
    await this.relink([...affected]);
    return failures.flatMap((failure) => {
      const event = latest.get(failure.offeringId);
      return event ? [{ event, reason: failure.reason }] : [];
    });
  }

  /** Re-enqueues every enriched item in `categories`; bursts collapse into one job per item. */
  async relink(categories: string[]): Promise<number> {
    let count = 0;
    for await (const jobs of this.itemLinks.findInCategories(categories)) {
      for (const job of jobs) {
        await this.queue.addRelink(
          { ...job, trigger: 'relink' },
          { delayMs: this.config.RELINK_DELAY_MS },
        );
        count++;
      }
    }
    if (count > 0)
      this.logger.log(
        `re-linking ${count} item(s) after a catalogue change in ${categories.length} categories`,
      );
    return count;
  }
}
