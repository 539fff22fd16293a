import { ContractViolationError, createEvent, parseEvent } from './event-registry';
import { itemIdForUrl, itemIdForWorkPackage } from './item-id';
import { ALL_TOPICS, Topic, deadLetterTopic } from './topics';

const itemId = itemIdForWorkPackage('https://openproject.example.org/', 7614);

describe('event contracts', () => {
  it('round-trips a valid event through JSON', () => {
    const event = createEvent(Topic.ItemRemoved, {
      itemId,
      revision: 3,
      data: { reason: 'unpublished-status', detail: 'Rejected' },
    });
    expect(event.type).toBe('curation.item.removed');
    expect(event.version).toBe(1);
    expect(parseEvent(Topic.ItemRemoved, Buffer.from(JSON.stringify(event)))).toEqual(event);
  });

  it('refuses to produce an event that breaks its schema, naming the field', () => {
    expect(() =>
      createEvent(Topic.OfferingUpserted, {
        itemId,
        revision: 1,
        data: {
          offeringId: -1,
          label: 'x',
          permalink: '/offering/x',
          categories: ['a'],
          description: '',
        },
      }),
    ).toThrow(/data\.offeringId/);
  });

  it.each([
    ['not JSON', '{oops'],
    [
      'an event of another topic',
      JSON.stringify(
        createEvent(Topic.ItemRemoved, { itemId, revision: 1, data: { reason: 'operator' } }),
      ),
    ],
    ['a missing envelope field', JSON.stringify({ type: 'curation.item.indexed', data: {} })],
  ])('rejects %s on consumption', (_label, raw) => {
    expect(() => parseEvent(Topic.ItemIndexed, raw)).toThrow(ContractViolationError);
  });

  it('derives deterministic item ids', () => {
    expect(itemIdForWorkPackage('https://openproject.example.org', 7614)).toBe(itemId);
    expect(itemIdForWorkPackage('https://openproject.example.org', 7615)).not.toBe(itemId);
    expect(itemIdForUrl('https://a.example/x')).toMatch(/^[0-9a-f-]{8}-[0-9a-f-]{4}-5/);
  });

  it('names a dead-letter topic for every topic', () => {
    const deadLetters = ALL_TOPICS.map(deadLetterTopic);
    expect(deadLetters).toEqual(ALL_TOPICS.map((topic) => `${topic}.dlq`));
    expect(new Set(deadLetters).size).toBe(ALL_TOPICS.length);
    expect(
      deadLetters.filter((topic) => (ALL_TOPICS as readonly string[]).includes(topic)),
    ).toEqual([]);
  });
});
