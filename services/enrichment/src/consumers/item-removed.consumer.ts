import { Injectable, OnModuleInit } from '@nestjs/common';
import { Topic, type EventOf } from '@curation/contracts';
import { EventConsumer } from '@curation/kafka';
import { EnrichmentService } from '../services/enrichment.service';

/** A removed item is no longer re-linked when the catalogue changes. */
@Injectable()
export class ItemRemovedConsumer implements OnModuleInit {
  constructor(
    private readonly consumer: EventConsumer,
    private readonly service: EnrichmentService,
  ) {}

  onModuleInit(): void {
    this.consumer.subscribe(Topic.ItemRemoved, (event) => this.handle(event));
  }

  handle(event: EventOf<typeof Topic.ItemRemoved>): Promise<void> {
    return this.service.handleRemoved(event);
  }
}
