import { Topic, itemIdForUrl, offeringEventKey } from '@curation/contracts';
import { randomUUID } from 'node:crypto';
import { KafkaEventCollector, StandInOpenProject, uniqueName } from '@curation/testing';
import {
  kafkaAndRedis,
  startIngestion,
  type IngestionHarness,
} from './testing/ingestion-app.harness';

const TOKEN = 'submission-api-token';

describe('generic submission and offerings API (real Kafka)', () => {
  const prefix = uniqueName('ingestion-submit');
  const openProject = new StandInOpenProject();
  let ingestion: IngestionHarness;
  let collector: KafkaEventCollector;

  async function post(path: string, body: unknown, token: string | null = TOKEN) {
    const response = await fetch(`${ingestion.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  beforeAll(async () => {
    await openProject.start();
    collector = await KafkaEventCollector.start(
      kafkaAndRedis().KAFKA_BROKERS,
      [Topic.ItemReceived, Topic.OfferingUpserted],
      prefix,
    );
    ingestion = await startIngestion({
      KAFKA_CLIENT_ID_PREFIX: prefix,
      INGESTION_REDIS_KEY_PREFIX: prefix,
      OPENPROJECT_URL: openProject.baseUrl,
      OPENPROJECT_API_KEY: openProject.apiKey,
      OPENPROJECT_TYPE_ID: '7',
      DEVELOPMENT_MODE: 'true',
      INGESTION_API_TOKEN: TOKEN,
    });
  });

  afterAll(async () => {
    await ingestion?.close();
    await collector?.stop();
    await openProject.stop();
  });

  it('accepts a URL with topics and publishes it as received under the canonical URL’s id', async () => {
    const path = `/news/${randomUUID()}`;
    const submitted = `https://WWW.Example.com:443${path}?utm_source=mail&id=4#comments`;
    const canonical = `https://www.example.com${path}?id=4`;
    const answer = await post('/v1/items', {
      url: submitted,
      topics: ['HIMSS: Digital Health'],
      imageUrl: 'https://img.example.com/a.jpg',
      title: 'A submitted story',
      description: 'First <paragraph>.\n\nSecond & last.',
    });
    expect(answer).toEqual({
      status: 202,
      body: { itemId: itemIdForUrl(canonical), revision: expect.any(Number) },
    });

    const [received] = await collector.waitFor(Topic.ItemReceived, itemIdForUrl(canonical));
    expect(received.revision).toBeGreaterThan(Date.now() - 60000);
    expect(received.revision).toBe((answer.body as { revision: number }).revision);
    expect(received.data).toMatchObject({
      source: 'submission',
      url: canonical,
      originalUrl: submitted,
      title: 'A submitted story',
      descriptionHtml: '<p>First &lt;paragraph&gt;.</p><p>Second &amp; last.</p>',
      topics: ['HIMSS: Digital Health'],
      imageUrl: 'https://img.example.com/a.jpg',
      customFields: {
        cleanUrl: canonical,
        sourceUrl: submitted,
        medigyTopics: ['HIMSS: Digital Health'],
      },
    });
    expect(received.data).not.toHaveProperty('workPackage');

    const second = await post('/v1/items', { url: canonical, topics: ['Other'] });
    expect(second.body.itemId).toBe(itemIdForUrl(canonical));
    const both = await collector.waitFor(Topic.ItemReceived, itemIdForUrl(canonical), 2);
    expect(both[1].revision).toBeGreaterThan(both[0].revision);
  });

  it.each([
    ['not JSON', '{"url": ', [] as string[]],
    ['an array', [], ['(body)']],
    ['no url', { topics: ['a'] }, ['url']],
    ['a relative url', { url: '/news/x', topics: ['a'] }, ['url']],
    ['a non-http url', { url: 'ftp://example.com/x', topics: ['a'] }, ['url']],
    ['no topics', { url: 'https://example.com/x' }, ['topics']],
    ['empty topics', { url: 'https://example.com/x', topics: [] }, ['topics']],
    ['a blank topic', { url: 'https://example.com/x', topics: ['  '] }, ['topics.0']],
    [
      'a bad image url',
      { url: 'https://example.com/x', topics: ['a'], imageUrl: 'javascript:x' },
      ['imageUrl'],
    ],
    [
      'an unknown field',
      { url: 'https://example.com/x', topics: ['a'], tilte: 'typo' },
      ['(body)'],
    ],
    [
      'several problems at once',
      { url: 'nope', topics: 'a', title: '' },
      ['url', 'topics', 'title'],
    ],
  ])('answers 400 to %s, listing every problem', async (_label, body, fields) => {
    const answer = await post('/v1/items', body);
    expect(answer.status).toBe(400);
    const problems = (answer.body.problems as string[] | undefined) ?? [];
    for (const field of fields) {
      expect(problems.some((problem) => problem.startsWith(`${field}:`))).toBe(true);
    }
    expect(problems.length).toBeGreaterThanOrEqual(fields.length);
  });

  it('requires the bearer token when one is configured', async () => {
    const body = { url: 'https://example.com/token', topics: ['a'] };
    expect((await post('/v1/items', body, null)).status).toBe(401);
    expect((await post('/v1/items', body, 'wrong-token')).status).toBe(401);
    expect((await post('/v1/offerings', [], 'wrong-token')).status).toBe(401);
  });

  it('publishes each offering as an upserted event keyed by its offering key', async () => {
    const base = 100000 + Math.floor(Math.random() * 800000);
    const offerings = [
      {
        offeringId: base,
        label: 'League Platform',
        permalink: '/offering/league-platform',
        categories: ['HIMSS: Digital Health'],
        description: 'A platform.',
      },
      {
        offeringId: base + 1,
        label: "H1's HCP Universe",
        permalink: '/offering/h1s-hcp-universe',
        categories: ['Symplur: Healthcare Providers', 'HIMSS: Digital Health'],
        description: '',
      },
    ];
    const answer = await post('/v1/offerings', offerings);
    expect(answer).toEqual({ status: 202, body: { accepted: 2 } });
    for (const offering of offerings) {
      const [event] = await collector.waitFor(
        Topic.OfferingUpserted,
        offeringEventKey(offering.offeringId),
      );
      expect(event.data).toEqual(offering);
    }
  });

  it('answers 400 to invalid offerings, listing every problem, and publishes none of them', async () => {
    const valid = {
      offeringId: 900001 + Math.floor(Math.random() * 90000),
      label: 'Doktor.se',
      permalink: '/offering/doktor-se',
      categories: ['HIMSS: Digital Health'],
      description: '',
    };
    const answer = await post('/v1/offerings', [
      valid,
      { ...valid, offeringId: -3, permalink: 'offering/no-slash' },
      { label: '', categories: [] },
    ]);
    expect(answer.status).toBe(400);
    const problems = answer.body.problems as string[];
    for (const field of [
      '1.offeringId',
      '1.permalink',
      '2.offeringId',
      '2.label',
      '2.permalink',
      '2.categories',
    ]) {
      expect(problems.some((problem) => problem.startsWith(`${field}:`))).toBe(true);
    }
    expect((await post('/v1/offerings', { not: 'an array' })).status).toBe(400);
    // A valid request afterwards shows up; the rejected batch's valid offering never did.
    const marker = { ...valid, offeringId: valid.offeringId + 1 };
    await post('/v1/offerings', [marker]);
    await collector.waitFor(Topic.OfferingUpserted, offeringEventKey(marker.offeringId));
    expect(
      collector.events(Topic.OfferingUpserted, offeringEventKey(valid.offeringId)),
    ).toHaveLength(0);
  });
});
