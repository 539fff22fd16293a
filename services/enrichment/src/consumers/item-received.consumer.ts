import { Injectable, OnModuleInit } from '@nestjs/common';
import { Topic, type EventOf } from '@curation/contracts';
import { EventConsumer } from '@curation/kafka';
import { EnrichmentService } from '../services/enrichment.service';

/** `received` → a page-fetch job; the offset is committed once the job is safely queued. */
@Injectable()
export class ItemReceivedConsumer implements OnModuleInit {
  constructor(
    private readonly consumer: EventConsumer,
    private readonly service: EnrichmentService,
  ) {}

  onModuleInit(): void {
    this.consumer.subscribe(Topic.ItemReceived, (event) => this.handle(event));
  }

  handle(event: EventOf<typeof Topic.ItemReceived>): Promise<void> {
    return this.service.handleReceived(event);
  }
}
