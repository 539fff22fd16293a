import { Test, type TestingModule } from '@nestjs/testing';
import { eventually, kafkaTestModule, testEnvironment, uniqueName } from '@curation/testing';
import { Topic, deadLetterTopic, itemIdForUrl } from '@curation/contracts';
import { EventConsumer, EventPublisher } from '@curation/kafka';
import { randomUUID } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { runCli } from './curation-cli';
import { readDeadLetters } from './dead-letters';

describe('replaying a dead letter with the CLI once its cause is fixed', () => {
  const environment = testEnvironment();
  const itemId = itemIdForUrl(`https://replay.example/${randomUUID()}`);
  let app: TestingModule;
  let causeFixed = false;
  const completed: string[] = [];

  beforeAll(async () => {
    app = await Test.createTestingModule({
      imports: [
        kafkaTestModule({
          serviceName: 'replay',
          clientIdPrefix: uniqueName('cli-replay-test'),
          fromBeginning: false,
        }),
      ],
    }).compile();
    app.get(EventConsumer).subscribe(Topic.ItemFailed, async (event) => {
      if (event.itemId !== itemId) return;
      if (!causeFixed) throw new Error('downstream store refuses the item');
      completed.push(event.itemId);
    });
    await app.init();
    // A group starting at the end must hold its partitions before anything is published.
    const admin = new Kafka({
      clientId: 'cli-replay-setup',
      brokers: environment.KAFKA_BROKERS,
      logLevel: 1,
    }).admin();
    await admin.connect();
    await eventually(async () => {
      const { groups } = await admin.describeGroups([app.get(EventConsumer).groupId]);
      return groups[0]?.state === 'Stable' ? true : undefined;
    });
    await admin.disconnect();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('dead-letters the item, then completes it after `curation dlq replay`', async () => {
    await app.get(EventPublisher).publish(Topic.ItemFailed, {
      itemId,
      revision: 1,
      data: { stage: 'enrichment', reason: 'a test failure', attempts: 1, retryable: true },
    });
    const kafka = new Kafka({
      clientId: 'cli-replay-test',
      brokers: environment.KAFKA_BROKERS,
      logLevel: 1,
    });
    const letter = await eventually(async () => {
      const letters = await readDeadLetters(kafka, deadLetterTopic(Topic.ItemFailed));
      return letters.find((each) => each.key === itemId);
    }, 60000);
    expect(letter.reason).toBe('downstream store refuses the item');
    expect(completed).toEqual([]);

    causeFixed = true;
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const exitCode = await runCli([
      'dlq',
      'replay',
      Topic.ItemFailed,
      '--offset',
      `${letter.partition}:${letter.offset}`,
    ]);
    expect(exitCode).toBe(0);
    await eventually(async () => (completed.includes(itemId) ? true : undefined), 60000);
    expect(completed).toEqual([itemId]);
  });
});
