import { WorkerHost } from '@nestjs/bullmq';
import type { OnModuleDestroy } from '@nestjs/common';

/**
 * A BullMQ processor that finishes its active jobs while the connections they need are still
 * open: @nestjs/bullmq closes workers only at application shutdown, together with the Kafka
 * producer and Redis clients, so a job finishing then could not publish its result.
 */
export abstract class DrainingWorkerHost extends WorkerHost implements OnModuleDestroy {
  async onModuleDestroy(): Promise<void> {
    await this.worker.close();
  }
}
