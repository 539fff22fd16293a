import { Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Admin } from 'kafkajs';
import { Gauge } from 'prom-client';

const logger = new Logger('PipelineGauges');

/** Queue depths, read from Redis when Prometheus scrapes. */
export function registerQueueDepthGauge(queues: Queue[]): Gauge {
  return new Gauge({
    name: 'curation_queue_jobs',
    help: 'BullMQ jobs by queue and state',
    labelNames: ['queue', 'state'],
    async collect() {
      this.reset();
      for (const queue of queues) {
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
}

/** Consumer lag per group, topic and partition, read from the broker when Prometheus scrapes. */
export function registerConsumerLagGauge(admin: Admin, groupPrefix: string): Gauge {
  return new Gauge({
    name: 'curation_consumer_lag',
    help: 'Messages not yet consumed, by consumer group, topic and partition',
    labelNames: ['group', 'topic', 'partition'],
    async collect() {
      this.reset();
      try {
        const { groups } = await admin.listGroups();
        for (const { groupId } of groups.filter((group) => group.groupId.startsWith(groupPrefix))) {
          for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
            const ends = new Map(
              (await admin.fetchTopicOffsets(topic)).map((end) => [
                end.partition,
                Number(end.high),
              ]),
            );
            for (const { partition, offset } of partitions) {
              const committed = Number(offset) < 0 ? 0 : Number(offset);
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
}
