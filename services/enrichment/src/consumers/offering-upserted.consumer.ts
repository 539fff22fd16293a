import { Injectable, OnModuleInit } from '@nestjs/common';
import { Topic, type EventOf } from '@curation/contracts';
import { EventConsumer, type BatchFailure } from '@curation/kafka';
import { OfferingService } from '../services/offering.service';

/** Catalogue changes arrive in batches: one bulk write and one re-link pass per batch. */
@Injectable()
export class OfferingUpsertedConsumer implements OnModuleInit {
  constructor(
    private readonly consumer: EventConsumer,
    private readonly service: OfferingService,
  ) {}

  onModuleInit(): void {
    this.consumer.subscribeBatch(Topic.OfferingUpserted, (events) => this.handle(events));
  }

  handle(
    events: Array<EventOf<typeof Topic.OfferingUpserted>>,
  ): Promise<Array<BatchFailure<typeof Topic.OfferingUpserted>>> {
    return this.service.upsertMany(events);
  }
}
