import { Topic, type ItemReceivedData } from '@curation/contracts';
import type { EventPublisher } from '@curation/kafka';
import {
  HOSTILE_BODIES,
  expectInertMarkdown,
} from '../../../../test/fixtures/hostile/hostile-markdown.fixture';
import type { ItemStatusService } from '@curation/operations';
import type { IngestionConfig } from '../config/ingestion.config';
import { SubmissionService } from './submission.service';

function newService(statusStore: 'up' | 'down' = 'up') {
  const published: Array<{ topic: string; revision: number; data: ItemReceivedData }> = [];
  const publisher = {
    publish: async (topic: string, event: { revision: number; data: ItemReceivedData }) => {
      published.push({ topic, revision: event.revision, data: event.data });
    },
  };
  const marked: Array<{ itemId: string; revision: number }> = [];
  const status = {
    accepted: async (itemId: string, revision: number) => {
      if (statusStore === 'down') throw new Error('connect ECONNREFUSED');
      marked.push({ itemId, revision });
    },
  };
  const config = {
    INGESTION_PUBLISH_TIMEOUT_MS: 5000,
    DESCRIPTION_MAX_BYTES: 200 * 1024,
  } as IngestionConfig;
  return {
    service: new SubmissionService(
      publisher as unknown as EventPublisher,
      config,
      status as unknown as ItemStatusService,
    ),
    published,
    marked,
  };
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
