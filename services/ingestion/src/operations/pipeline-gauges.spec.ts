import { Logger } from '@nestjs/common';
import { register } from 'prom-client';
import type { CountedQueue, LagAdmin } from '@curation/operations';
import { PipelineGauges } from './pipeline-gauges';

/** A queue and an admin client that count how often they are asked. */
function fakes() {
  const calls = { jobCounts: 0, listGroups: 0 };
  let waiting = 3;
  let high = 10;
  let kafkaDown = false;
  const queue: CountedQueue = {
    name: 'page-fetch',
    getJobCounts: async () => {
      calls.jobCounts++;
      return { waiting, active: 1, failed: 0 };
    },
  };
  const admin: LagAdmin = {
    listGroups: async () => {
      calls.listGroups++;
      if (kafkaDown) throw new Error('broker away');
      return {
        groups: [
          { groupId: 'run.enrichment', protocolType: 'consumer' },
          { groupId: 'other-run.enrichment', protocolType: 'consumer' },
        ],
      };
    },
    fetchOffsets: async () => [
      {
        topic: 'curation.item.received',
        partitions: [
          { partition: 0, offset: '4', metadata: null },
          { partition: 1, offset: '-1', metadata: null },
        ],
      },
    ],
    fetchTopicOffsets: async () => [
      { partition: 0, offset: String(high), high: String(high), low: '0' },
      { partition: 1, offset: '7', high: '7', low: '2' },
    ],
  };
  return {
    calls,
    queue,
    admin,
    set: (next: { waiting?: number; high?: number; kafkaDown?: boolean }) => {
      waiting = next.waiting ?? waiting;
      high = next.high ?? high;
      kafkaDown = next.kafkaDown ?? kafkaDown;
    },
  };
}

async function sample(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const values = (await register.getSingleMetric(name)?.get())?.values ?? [];
  return values.find((value) =>
    Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted),
  )?.value;
}

describe('pipeline gauges', () => {
  // The outage case logs a warning by design.
  beforeAll(() => Logger.overrideLogger(false));

  it('serves scrapes from the last refresh, without asking Redis or Kafka', async () => {
    const { calls, queue, admin, set } = fakes();
    const gauges = new PipelineGauges([queue], admin, 'run', 60_000);
    await gauges.refresh();
    expect(calls).toEqual({ jobCounts: 1, listGroups: 1 });

    set({ waiting: 9 });
    await register.metrics();
    await register.metrics();
    expect(calls).toEqual({ jobCounts: 1, listGroups: 1 });
    expect(await sample('curation_queue_jobs', { queue: 'page-fetch', state: 'waiting' })).toBe(3);

    await gauges.refresh();
    expect(await sample('curation_queue_jobs', { queue: 'page-fetch', state: 'waiting' })).toBe(9);
  });

  it('reports lag per group of the prefix and topic, a never-committed partition from its low offset', async () => {
    const { queue, admin } = fakes();
    await new PipelineGauges([queue], admin, 'run', 60_000).refresh();
    // partition 0: 10 - 4; partition 1: never committed, 7 - 2.
    expect(
      await sample('curation_consumer_lag_messages', {
        group: 'run.enrichment',
        topic: 'curation.item.received',
      }),
    ).toBe(11);
    expect(await sample('curation_consumer_lag_messages', { group: 'other-run.enrichment' })).toBe(
      undefined,
    );
  });

  it('drops the lag series while Kafka cannot be read, and keeps the queue depths', async () => {
    const { queue, admin, set } = fakes();
    const gauges = new PipelineGauges([queue], admin, 'run', 60_000);
    await gauges.refresh();
    set({ kafkaDown: true, waiting: 5 });
    await gauges.refresh();
    expect(await sample('curation_consumer_lag_messages', { group: 'run.enrichment' })).toBe(
      undefined,
    );
    expect(await sample('curation_queue_jobs', { queue: 'page-fetch', state: 'waiting' })).toBe(5);
  });

  it('runs one refresh at a time', async () => {
    const { calls, queue, admin } = fakes();
    const gauges = new PipelineGauges([queue], admin, 'run', 60_000);
    await Promise.all([gauges.refresh(), gauges.refresh(), gauges.refresh()]);
    expect(calls.listGroups).toBe(1);
  });
});
