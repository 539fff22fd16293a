import { Inject, Injectable } from '@nestjs/common';
import { revisionJobId, type QueueName } from '@curation/contracts';
import type { Queue } from 'bullmq';
import { PIPELINE_QUEUES } from './operations.options';

export type JobClearance = 'cleared' | 'absent' | 'busy';

/** The pipeline's BullMQ jobs, as far as operators act on them. */
@Injectable()
export class PipelineJobsRepository {
  constructor(@Inject(PIPELINE_QUEUES) private readonly queues: Queue[]) {}

  /**
   * Removes the finished (failed or completed) job of an item revision, so the stage adds it
   * again when its input is published again; `busy` when it is still waiting or running.
   */
  async clearFinished(
    queueName: QueueName,
    itemId: string,
    revision: number,
  ): Promise<JobClearance> {
    const queue = this.queues.find((each) => each.name === queueName);
    if (!queue) throw new Error(`no queue ${queueName}`);
    const job = await queue.getJob(revisionJobId(itemId, revision));
    if (!job) return 'absent';
    const state = await job.getState();
    if (state !== 'failed' && state !== 'completed') return 'busy';
    await job.remove();
    return 'cleared';
  }
}
