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

const SWEEP_GRACE_MS = 5000;
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

  /**
   * Gives a sweep in progress a moment to finish before Redis and Kafka connections close; one
   * still waiting for OpenProject is abandoned (its watermark did not move, the next sweep redoes it).
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('interval', INTERVAL_NAME))
      this.registry.deleteInterval(INTERVAL_NAME);
    await Promise.race([
      this.running,
      new Promise((resolve) => setTimeout(resolve, SWEEP_GRACE_MS).unref()),
    ]);
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
