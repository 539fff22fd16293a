import { Injectable, OnModuleInit } from '@nestjs/common';
import { Topic } from '@curation/contracts';
import { EventConsumer } from '@curation/kafka';
import { IndexingService } from '../services/indexing.service';

@Injectable()
export class ItemImagedConsumer implements OnModuleInit {
  constructor(
    private readonly consumer: EventConsumer,
    private readonly indexing: IndexingService,
  ) {}

  onModuleInit(): void {
    this.consumer.subscribeBatch(Topic.ItemImaged, (events) => this.indexing.indexBatch(events));
  }
}
