import { Topic, type ItemReceivedData } from '@curation/contracts';
import type { EventPublisher } from '@curation/kafka';
import {
  HOSTILE_BODIES,
  expectInertMarkdown,
} from '../../../../test/fixtures/hostile/hostile-markdown.fixture';
import type { IngestionConfig } from '../config/ingestion.config';
import { SubmissionService } from './submission.service';

function newService() {
  const published: Array<{ topic: string; data: ItemReceivedData }> = [];
  const publisher = {
    publish: async (topic: string, event: { data: ItemReceivedData }) => {
      published.push({ topic, data: event.data });
    },
  };
  const config = { INGESTION_PUBLISH_TIMEOUT_MS: 5000 } as IngestionConfig;
  return {
    service: new SubmissionService(publisher as unknown as EventPublisher, config),
    published,
  };
}

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
