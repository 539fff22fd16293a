import { loadConfig } from '@curation/config';
import { Topic, createEvent, type ItemReceivedData } from '@curation/contracts';
import { expectInertMarkdown, HOSTILE_BODIES, newTestService } from '@curation/testing';
import { ingestionConfigSchema } from '../config/ingestion.config';
import { SubmissionService } from './submission.service';

function newService(statusStore: 'up' | 'down' = 'up') {
  // The defaults: a 5 s publish timeout, descriptions up to 200 KB.
  const config = loadConfig(ingestionConfigSchema, {
    KAFKA_BROKERS: '127.0.0.1:9092',
    REDIS_URL: 'redis://127.0.0.1:6379',
    OPENPROJECT_URL: 'https://openproject.example.org',
    OPENPROJECT_API_KEY: 'key',
    OPENPROJECT_TYPE_ID: '7',
    DEVELOPMENT_MODE: 'true',
  });
  const {
    sut: service,
    mocks: [publisher, , status],
  } = newTestService(SubmissionService, { 1: config });
  const published: Array<{ topic: string; revision: number; data: ItemReceivedData }> = [];
  publisher.publish.mockImplementation(async (topic, event) => {
    published.push({ topic, revision: event.revision, data: event.data as ItemReceivedData });
    return createEvent(topic, event);
  });
  const marked: Array<{ itemId: string; revision: number }> = [];
  status.accepted.mockImplementation(async (itemId, revision) => {
    if (statusStore === 'down') throw new Error('connect ECONNREFUSED');
    marked.push({ itemId, revision });
  });
  return { service, published, marked };
}

describe('a submitted item', () => {
  const body = { url: 'https://news.example/a', topics: ['HIMSS: Digital Health'] };

  it('answers its itemId and revision, and the status describes that revision at once', async () => {
    const { service, published, marked } = newService();
    const outcome = await service.submitItem(body);
    if (outcome.kind !== 'accepted') throw new Error(`not accepted: ${outcome.kind}`);
    expect(outcome.value.revision).toBe(published[0].revision);
    expect(marked).toEqual([{ itemId: outcome.value.itemId, revision: outcome.value.revision }]);
  });

  it('is still accepted when the status store is away (the event is already in Kafka)', async () => {
    const { service, published } = newService('down');
    expect((await service.submitItem(body)).kind).toBe('accepted');
    expect(published).toHaveLength(1);
  });

  it('is a live item unless it asks for the bulk lane', async () => {
    const { service, published } = newService();
    await service.submitItem(body);
    await service.submitItem({ ...body, priority: 'bulk' });
    expect(published.map((event) => event.data.priority)).toEqual([undefined, 'bulk']);
  });

  it('is refused with a priority other than bulk', async () => {
    const { service, published } = newService();
    const outcome = await service.submitItem({ ...body, priority: 'urgent' });
    expect(outcome.kind).toBe('invalid');
    expect(published).toHaveLength(0);
  });
});

describe('hostile Markdown corpus: a submission description', () => {
  it.each(HOSTILE_BODIES)(
    '$name, sent as plain text: its paragraphs render inert',
    async (hostile) => {
      const { service, published } = newService();
      // The corpus HTML is plain text here: a reader must see every tag and entity as written.
      const outcome = await service.submitItem({
        url: 'https://news.example/story',
        topics: ['Digital Health'],
        description: hostile.html,
      });
      expect(outcome.kind).toBe('accepted');
      expect(published.map((event) => event.topic)).toEqual([Topic.ItemReceived]);
      const body = published[0].data.descriptionHtml ?? '';
      expect(body.startsWith('<p>')).toBe(true);
      expectInertMarkdown(body, body, hostile.html.trim());
    },
  );

  it('keeps paragraphs apart at blank lines of any line ending', async () => {
    const { service, published } = newService();
    await service.submitItem({
      url: 'https://news.example/story',
      topics: ['Digital Health'],
      description: 'One & <two>\r\rThree\r\n\r\nFour\nfive',
    });
    expect(published[0].data.descriptionHtml).toBe(
      '<p>One &amp; &lt;two&gt;</p><p>Three</p><p>Four five</p>',
    );
  });
});
