import { Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Admin } from 'kafkajs';
import { Gauge } from 'prom-client';

const logger = new Logger('PipelineGauges');

/** What the gauges read when Prometheus scrapes; set by the operations module at start-up. */
const sources: { queues: Queue[]; admin?: Admin; groupPrefix: string } = {
  queues: [],
  groupPrefix: '',
};

export function trackPipeline(queues: Queue[], admin: Admin, groupPrefix: string): void {
  Object.assign(sources, { queues, admin, groupPrefix });
}

new Gauge({
  name: 'curation_queue_jobs',
  help: 'BullMQ jobs by queue and state',
  labelNames: ['queue', 'state'],
  async collect() {
    this.reset();
    for (const queue of sources.queues) {
      const counts = await queue.getJobCounts(
        'waiting',
        'active',
        'delayed',
        'failed',
        'completed',
      );
      for (const [state, count] of Object.entries(counts))
        this.set({ queue: queue.name, state }, count);
    }
  },
});

new Gauge({
  name: 'curation_consumer_lag',
  help: 'Messages not yet consumed, by consumer group, topic and partition',
  labelNames: ['group', 'topic', 'partition'],
  async collect() {
    this.reset();
    const { admin, groupPrefix } = sources;
    if (!admin) return;
    try {
      const { groups } = await admin.listGroups();
      for (const { groupId } of groups.filter((group) => group.groupId.startsWith(groupPrefix))) {
        for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
          const ends = new Map(
            (await admin.fetchTopicOffsets(topic)).map((end) => [end.partition, Number(end.high)]),
          );
          for (const { partition, offset } of partitions) {
            const committed = Math.max(Number(offset), 0);
            this.set(
              { group: groupId, topic, partition: String(partition) },
              (ends.get(partition) ?? 0) - committed,
            );
          }
        }
      }
    } catch (error) {
      logger.warn(`consumer lag not collected: ${(error as Error).message}`);
    }
  },
});
