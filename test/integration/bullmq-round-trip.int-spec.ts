import { Queue, QueueEvents, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { testEnvironment, uniqueName } from '../support/test-environment';

describe('BullMQ on the project Redis', () => {
  const connections = Array.from(
    { length: 3 },
    () => new IORedis(testEnvironment().REDIS_URL, { maxRetriesPerRequest: null }),
  );
  const [connection, eventsConnection, workerConnection] = connections;
  const queueName = uniqueName('round-trip');

  afterAll(async () => {
    await Promise.all(connections.map((each) => each.quit()));
  });

  it('runs a job through a worker and returns its result; a failing job reports its reason', async () => {
    const queue = new Queue<{ n: number }, number>(queueName, { connection });
    const events = new QueueEvents(queueName, { connection: eventsConnection });
    const worker = new Worker<{ n: number }, number>(
      queueName,
      async (job) => {
        if (job.data.n < 0) throw new Error('negative input');
        return job.data.n * 2;
      },
      { connection: workerConnection },
    );
    try {
      await events.waitUntilReady();
      const good = await queue.add('double', { n: 21 }, { jobId: 'same-id' });
      const duplicate = await queue.add('double', { n: 99 }, { jobId: 'same-id' });
      expect(duplicate.id).toBe(good.id);
      await expect(good.waitUntilFinished(events, 30000)).resolves.toBe(42);

      const bad = await queue.add('double', { n: -1 });
      await expect(bad.waitUntilFinished(events, 30000)).rejects.toThrow('negative input');
    } finally {
      await worker.close();
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
