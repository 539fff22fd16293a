import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Topic } from '@curation/contracts';
import { EventConsumer } from '@curation/kafka';
import { APP_CONFIG } from '@curation/platform';
import type { ImageProcessingConfig } from '../config/image-processing.config';
import { ImageProcessingService } from '../services/image-processing.service';

/** `enriched` → one image job; the slow work happens on the queue, not in the Kafka handler. */
@Injectable()
export class ItemEnrichedConsumer implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ImageProcessingConfig,
    @Inject(EventConsumer) private readonly consumer: EventConsumer,
    @Inject(ImageProcessingService) private readonly service: ImageProcessingService,
  ) {}

  onModuleInit(): void {
    if (!this.config.IMAGE_CONSUME_ENRICHED) return;
    this.consumer.subscribe(Topic.ItemEnriched, async (event) => {
      await this.service.enqueue(event);
    });
  }
}
