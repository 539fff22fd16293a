import { Global, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { ReadinessRegistry } from '@curation/platform';
import {
  kafkaTestModule,
  groupCaughtUp,
  markTopics,
  readWholeTopic,
  eventually,
  testEnvironment,
  uniqueName,
} from '@curation/testing';
import { Topic, deadLetterTopic, itemIdForUrl, type EventOf } from '@curation/contracts';
import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { register } from 'prom-client';
import { DeadLetterHeader, headerText } from './dead-letter';
import { EventConsumer } from './event-consumer';
import { EventPublisher } from './event-publisher';
import { PermanentEventError } from './permanent-event.error';

describe('Kafka lib against a real broker', () => {
  const environment = testEnvironment();
  const prefix = uniqueName('kafka-lib-test');
  let app: TestingModule;
  const handled: Array<EventOf<typeof Topic.ItemRemoved>> = [];
  const reported: Array<EventOf<typeof Topic.ItemFailed>> = [];
  const attemptsByItem = new Map<string, number>();
  const poisonedItemId = itemIdForUrl(`https://poisoned.example/${randomUUID()}`);
  const flakyItemId = itemIdForUrl(`https://flaky.example/${randomUUID()}`);
  const goodItemId = itemIdForUrl(`https://good.example/${randomUUID()}`);
  const permanentItemId = itemIdForUrl(`https://permanent.example/${randomUUID()}`);

  beforeAll(async () => {
    app = await Test.createTestingModule({
      imports: [
        kafkaTestModule({ serviceName: 'round-trip', clientIdPrefix: prefix, maxAttempts: 3 }),
      ],
    }).compile();
    app.get(EventConsumer).subscribe(Topic.ItemRemoved, async (event) => {
      const attempts = (attemptsByItem.get(event.itemId) ?? 0) + 1;
      attemptsByItem.set(event.itemId, attempts);
      if (event.itemId === poisonedItemId) throw new Error('poisoned on purpose');
      if (event.itemId === flakyItemId && attempts < 2) throw new Error('flaky once');
      if (event.data.detail === 'permanent') throw new PermanentEventError('cannot ever work');
      handled.push(event);
    });
    app.get(EventConsumer).subscribe(Topic.ItemFailed, async (event) => {
      reported.push(event);
    });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
  });

  async function readDeadLetters(): Promise<KafkaMessage[]> {
    const reader = await readWholeTopic(
      environment.KAFKA_BROKERS,
      deadLetterTopic(Topic.ItemRemoved),
    );
    try {
      return await eventually(async () => {
        const ours = reader.messages.filter((message) =>
          [poisonedItemId, permanentItemId, 'not-json'].includes(message.key?.toString() ?? ''),
        );
        return ours.length >= 3 ? ours : undefined;
      }, 60000);
    } finally {
      await reader.stop();
    }
  }

  it('delivers events, retries a flaky handler, and dead-letters a poisoned message while the next one flows', async () => {
    const publisher = app.get(EventPublisher);
    const mark = await markTopics(environment.KAFKA_BROKERS, [Topic.ItemRemoved]);
    await publisher.publish(Topic.ItemRemoved, {
      itemId: permanentItemId,
      revision: 1,
      data: { reason: 'operator', detail: 'permanent' },
    });
    await publisher.publish(Topic.ItemRemoved, {
      itemId: poisonedItemId,
      revision: 1,
      data: { reason: 'operator' },
    });
    await publisher.send(Topic.ItemRemoved, [{ key: 'not-json', value: '{broken' }]);
    await publisher.publish(Topic.ItemRemoved, {
      itemId: flakyItemId,
      revision: 1,
      data: { reason: 'operator' },
    });
    await publisher.publish(Topic.ItemRemoved, {
      itemId: goodItemId,
      revision: 2,
      data: { reason: 'deleted-upstream' },
    });

    // The three items may sit on different partitions: wait until each has settled.
    await eventually(async () => {
      const settled =
        handled.some((event) => event.itemId === goodItemId) &&
        handled.some((event) => event.itemId === flakyItemId) &&
        attemptsByItem.get(poisonedItemId) === 3 &&
        attemptsByItem.get(permanentItemId) === 1;
      return settled ? true : undefined;
    }, 60000);
    expect(handled.find((event) => event.itemId === goodItemId)?.revision).toBe(2);
    expect(attemptsByItem.get(flakyItemId)).toBe(2);
    expect(handled.filter((event) => event.itemId === flakyItemId)).toHaveLength(1);
    expect(attemptsByItem.get(poisonedItemId)).toBe(3);
    await groupCaughtUp(
      environment.KAFKA_BROKERS,
      `${prefix}.round-trip`,
      [Topic.ItemRemoved],
      mark,
    );
    expect(attemptsByItem.get(permanentItemId)).toBe(1);

    const deadLetters = await readDeadLetters();
    const poisoned = deadLetters.find((message) => message.key?.toString() === poisonedItemId)!;
    expect(headerText(poisoned.headers, DeadLetterHeader.Reason)).toBe('poisoned on purpose');
    expect(headerText(poisoned.headers, DeadLetterHeader.Attempts)).toBe('3');
    expect(headerText(poisoned.headers, DeadLetterHeader.SourceTopic)).toBe(Topic.ItemRemoved);
    const broken = deadLetters.find((message) => message.key?.toString() === 'not-json')!;
    expect(headerText(broken.headers, DeadLetterHeader.Reason)).toMatch(/not JSON/);
    expect(broken.value?.toString()).toBe('{broken');
    const permanent = deadLetters.find((message) => message.key?.toString() === permanentItemId)!;
    expect(headerText(permanent.headers, DeadLetterHeader.Reason)).toBe('cannot ever work');
    expect(headerText(permanent.headers, DeadLetterHeader.Attempts)).toBe('1');
    // The publishing service counts them for /metrics: poisoned, not JSON, permanent.
    const counted = (await register.getSingleMetric('curation_dead_letters_total')?.get())?.values;
    const removedDeadLetters = counted?.find(
      (sample) => sample.labels.topic === deadLetterTopic(Topic.ItemRemoved),
    );
    expect(removedDeadLetters?.value).toBeGreaterThanOrEqual(3);

    // Each dead-lettered item's event is reported as item.failed, the one failure channel.
    const failures = await eventually(async () => {
      const ours = reported.filter((event) =>
        [poisonedItemId, permanentItemId].includes(event.itemId),
      );
      return ours.length >= 2 ? ours : undefined;
    }, 60000);
    expect(failures.find((event) => event.itemId === poisonedItemId)?.data).toEqual({
      stage: 'ingestion',
      reason: 'poisoned on purpose',
      attempts: 3,
      retryable: false,
      deadLetterTopic: deadLetterTopic(Topic.ItemRemoved),
    });
  });
});

describe('Kafka lib batch mode against a real broker', () => {
  const environment = testEnvironment();
  const prefix = uniqueName('kafka-batch-test');
  let app: TestingModule;
  const runId = randomUUID();
  const itemIds = [1, 2, 3].map((n) => itemIdForUrl(`https://batch.example/${runId}/${n}`));
  const [goodId, rejectedId, lateId] = itemIds;
  const handled = new Set<string>();
  let outages = 2;

  beforeAll(async () => {
    app = await Test.createTestingModule({
      imports: [kafkaTestModule({ serviceName: 'batch', clientIdPrefix: prefix, maxAttempts: 1 })],
    }).compile();
    app.get(EventConsumer).subscribeBatch(Topic.ItemIndexed, async (events) => {
      const ours = events.filter((event) => itemIds.includes(event.itemId));
      if (ours.length > 0 && outages-- > 0) throw new Error('search store away');
      for (const event of ours) handled.add(event.itemId);
      return ours
        .filter((event) => event.itemId === rejectedId)
        .map((event) => ({ event, reason: 'mapping rejected' }));
    });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('waits out an outage instead of dead-lettering, and dead-letters only the items the handler rejects', async () => {
    const publisher = app.get(EventPublisher);
    const dlq = deadLetterTopic(Topic.ItemIndexed);
    const mark = await markTopics(environment.KAFKA_BROKERS, [Topic.ItemIndexed, dlq]);
    for (const itemId of itemIds) {
      await publisher.publish(Topic.ItemIndexed, {
        itemId,
        revision: 1,
        data: { index: 'curated-content', bucket: 'b', documentKey: `${itemId}.md` },
      });
    }
    await eventually(
      async () => (itemIds.every((id) => handled.has(id)) ? true : undefined),
      60000,
    );
    expect(outages).toBeLessThan(0);

    const reader = await readWholeTopic(environment.KAFKA_BROKERS, dlq);
    const keys = () => reader.messages.map((message) => message.key?.toString() ?? '');
    try {
      await eventually(async () => (keys().includes(rejectedId) ? true : undefined), 60000);
      // Everything the batch handler dead-lettered is on the topic, and the reader has read it all.
      await groupCaughtUp(environment.KAFKA_BROKERS, `${prefix}.batch`, [Topic.ItemIndexed], mark);
      await groupCaughtUp(environment.KAFKA_BROKERS, reader.groupId, [dlq], mark);
      expect(keys().filter((key) => itemIds.includes(key))).toEqual([rejectedId]);
      expect(keys()).not.toContain(goodId);
      expect(keys()).not.toContain(lateId);
    } finally {
      await reader.stop();
    }
  });
});

@Global()
@Module({ providers: [ReadinessRegistry], exports: [ReadinessRegistry] })
class ReadinessTestModule {}

describe('Kafka lib during an outage of a server the service needs', () => {
  const environment = testEnvironment();
  const prefix = uniqueName('kafka-outage-test');
  let app: TestingModule;
  const itemId = itemIdForUrl(`https://outage.example/${randomUUID()}`);
  let storeDown = true;
  let attempts = 0;
  let handled = false;

  beforeAll(async () => {
    app = await Test.createTestingModule({
      imports: [
        ReadinessTestModule,
        kafkaTestModule({ serviceName: 'outage', clientIdPrefix: prefix, maxAttempts: 2 }),
      ],
    }).compile();
    app.get(ReadinessRegistry).register('store', async () => {
      if (storeDown) throw new Error('store unreachable');
    });
    app.get(EventConsumer).subscribe(Topic.ItemRemoved, async (event) => {
      if (event.itemId !== itemId) return;
      attempts++;
      if (storeDown) throw new Error('store away');
      handled = true;
    });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('keeps the message and tries again while a readiness check fails, instead of dead-lettering it', async () => {
    const dlq = deadLetterTopic(Topic.ItemRemoved);
    const mark = await markTopics(environment.KAFKA_BROKERS, [Topic.ItemRemoved, dlq]);
    await app.get(EventPublisher).publish(Topic.ItemRemoved, {
      itemId,
      revision: 1,
      data: { reason: 'operator' },
    });
    // Past maxAttempts (2) twice over: the outage wait has run at least once.
    await eventually(async () => (attempts >= 4 ? true : undefined), 60000);
    storeDown = false;
    await eventually(async () => (handled ? true : undefined), 60000);
    await groupCaughtUp(environment.KAFKA_BROKERS, `${prefix}.outage`, [Topic.ItemRemoved], mark);

    const reader = await readWholeTopic(environment.KAFKA_BROKERS, dlq);
    try {
      await groupCaughtUp(environment.KAFKA_BROKERS, reader.groupId, [dlq], mark);
      expect(reader.messages.map((message) => message.key?.toString())).not.toContain(itemId);
    } finally {
      await reader.stop();
    }
  });
});

describe('Kafka lib committing handled offsets', () => {
  const environment = testEnvironment();
  const prefix = uniqueName('kafka-commit-test');
  const groupId = `${prefix}.commits`;
  let app: TestingModule;
  const handled = new Set<string>();
  const slowItemId = itemIdForUrl(`https://slow.example/${randomUUID()}`);
  let slowStarted = false;
  let releaseSlow = () => undefined as void;
  const slowReleased = new Promise<void>((resolve) => (releaseSlow = resolve));
  let closed = false;

  beforeAll(async () => {
    app = await Test.createTestingModule({
      imports: [kafkaTestModule({ serviceName: 'commits', clientIdPrefix: prefix })],
    }).compile();
    app.get(EventConsumer).subscribe(Topic.ItemRemoved, async (event) => {
      if (event.itemId === slowItemId) {
        slowStarted = true;
        await slowReleased;
      }
      handled.add(event.itemId);
    });
    await app.init();
  });

  afterAll(async () => {
    if (!closed) await app?.close();
  });

  async function offsetCommits(): Promise<number> {
    const metric = await register.getSingleMetric('curation_kafka_requests_total')?.get();
    return (metric?.values ?? [])
      .filter(
        (sample) => sample.labels.client === 'consumer' && sample.labels.api === 'OffsetCommit',
      )
      .reduce((sum, sample) => sum + sample.value, 0);
  }

  it('commits what it handled about once a second, not once per event, and the last events without waiting for more', async () => {
    const publisher = app.get(EventPublisher);
    const mark = await markTopics(environment.KAFKA_BROKERS, [Topic.ItemRemoved]);
    const commitsBefore = await offsetCommits();
    const itemIds = Array.from({ length: 30 }, () =>
      itemIdForUrl(`https://trickle.example/${randomUUID()}`),
    );
    // One event at a time: each arrives in a batch of its own, which kafkajs' autoCommit commits.
    for (const itemId of itemIds) {
      await publisher.publish(Topic.ItemRemoved, {
        itemId,
        revision: 1,
        data: { reason: 'operator' },
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await eventually(
      async () => (itemIds.every((id) => handled.has(id)) ? true : undefined),
      30000,
    );
    await groupCaughtUp(environment.KAFKA_BROKERS, groupId, [Topic.ItemRemoved], mark, 5000);
    expect((await offsetCommits()) - commitsBefore).toBeLessThan(10);
  });

  it('commits the event in hand when it stops, before leaving the group', async () => {
    const mark = await markTopics(environment.KAFKA_BROKERS, [Topic.ItemRemoved]);
    await app.get(EventPublisher).publish(Topic.ItemRemoved, {
      itemId: slowItemId,
      revision: 1,
      data: { reason: 'operator' },
    });
    await eventually(async () => (slowStarted ? true : undefined), 30000);
    // Released once the stop began: the timer is off, and kafkajs' own interval (the timer's
    // last commit was under a second ago) would not commit it.
    const closing = app.close();
    releaseSlow();
    await closing;
    closed = true;
    expect(handled.has(slowItemId)).toBe(true);
    // Nothing commits for the group any more: what is committed now is what the stop committed.
    await groupCaughtUp(environment.KAFKA_BROKERS, groupId, [Topic.ItemRemoved], mark, 1000);
  });
});
