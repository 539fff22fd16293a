import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '@curation/platform';
import type { Job } from 'bullmq';
import type { IngestionConfig } from '../config/ingestion.config';
import { WriteBackQueueRepository } from './write-back-queue.repository';
import type { WriteBackJob } from './write-back.job';
import { WriteBackService, type PostResult } from './write-back.service';

/** Comments are few and small: a handful in flight is plenty and spares OpenProject. */
const CONCURRENCY = 4;

/** The worker of the write-back queue: one job, one comment. */
@Injectable()
export class WriteBackProcessor implements OnApplicationBootstrap {
  constructor(
    private readonly queue: WriteBackQueueRepository,
    private readonly writeBack: WriteBackService,
    @Inject(APP_CONFIG) private readonly config: IngestionConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.OPENPROJECT_WRITE_BACK === 'off') return;
    this.queue.startWorker((job) => this.process(job), CONCURRENCY);
  }

  process(job: Job<WriteBackJob>): Promise<PostResult> {
    return this.writeBack.post(job.data);
  }
}
