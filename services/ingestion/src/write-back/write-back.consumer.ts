import {
  Inject,
  Injectable,
  OnApplicationBootstrap,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import { Topic } from '@curation/contracts';
import { EventConsumer } from '@curation/kafka';
import { APP_CONFIG } from '@curation/platform';
import type { IngestionConfig } from '../config/ingestion.config';
import { OpenProjectStartupCheck } from '../services/openproject-startup-check.service';
import { WriteBackService } from './write-back.service';

export const WRITE_BACK_EVENT_CONSUMER = Symbol('WRITE_BACK_EVENT_CONSUMER');

/** Held, not provided directly, so it starts when this class says (not beside the start-up check). */
export interface WriteBackEventConsumer {
  consumer: EventConsumer;
}

/**
 * Outcomes to tell editors about. A consumer group of its own (`<prefix>.ingestion.write-back`):
 * the item-status consumer already follows these topics in ingestion's group.
 */
@Injectable()
export class WriteBackConsumer implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly consumer: EventConsumer;

  constructor(
    @Inject(WRITE_BACK_EVENT_CONSUMER) holder: WriteBackEventConsumer,
    private readonly writeBack: WriteBackService,
    private readonly startupCheck: OpenProjectStartupCheck,
    @Inject(APP_CONFIG) private readonly config: IngestionConfig,
  ) {
    this.consumer = holder.consumer;
  }

  /** Joins its group only once the OpenProject mapping is known good: a failed start stops cleanly. */
  async onApplicationBootstrap(): Promise<void> {
    if (await this.startupCheck.passed) await this.consumer.onApplicationBootstrap();
  }

  async onModuleDestroy(): Promise<void> {
    await this.consumer.onModuleDestroy();
  }

  onModuleInit(): void {
    if (this.config.OPENPROJECT_WRITE_BACK === 'off') return;
    this.consumer.subscribe(Topic.ItemIndexed, (event) => this.writeBack.published(event));
    this.consumer.subscribe(Topic.ItemFailed, (event) => this.writeBack.failed(event));
    this.consumer.subscribe(Topic.ItemRemoved, (event) => this.writeBack.removed(event));
  }
}
