import { Injectable, OnModuleInit } from '@nestjs/common';
import { Topic } from '@curation/contracts';
import { EventConsumer } from '@curation/kafka';
import { WorkPackageResolverService } from '../services/work-package-resolver.service';

/** Resolves each stored webhook into `received` / `removed` events. */
@Injectable()
export class OpenProjectWebhookConsumer implements OnModuleInit {
  constructor(
    private readonly consumer: EventConsumer,
    private readonly resolver: WorkPackageResolverService,
  ) {}

  onModuleInit(): void {
    this.consumer.subscribe(Topic.OpenProjectWebhook, async (event) => {
      await this.resolver.handleWebhookEvent(event);
    });
  }
}
