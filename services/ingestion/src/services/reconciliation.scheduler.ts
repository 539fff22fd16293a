import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG } from '@curation/platform';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { IngestionConfig } from '../config/ingestion.config';
import { ReconciliationService } from './reconciliation.service';

const INTERVAL_NAME = 'openproject-sweep';

/** Runs the reconciliation sweep every OPENPROJECT_SWEEP_INTERVAL_SECONDS (0 disables it). */
@Injectable()
export class ReconciliationScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReconciliationScheduler.name);
  private running?: Promise<void>;

  constructor(
    private readonly reconciliation: ReconciliationService,
    private readonly registry: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: IngestionConfig,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.OPENPROJECT_SWEEP_INTERVAL_SECONDS;
    if (seconds === 0) return;
    this.registry.addInterval(
      INTERVAL_NAME,
      setInterval(() => this.tick(), seconds * 1000),
    );
  }

  /** Lets a sweep in progress finish before Redis and Kafka connections close. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('interval', INTERVAL_NAME))
      this.registry.deleteInterval(INTERVAL_NAME);
    await this.running;
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.reconciliation
      .sweep()
      .then(() => undefined)
      .catch((error: Error) => this.logger.error(`sweep failed: ${error.message}`))
      .finally(() => (this.running = undefined));
  }
}
