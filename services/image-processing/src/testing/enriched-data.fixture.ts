import type { EventDataOf, Topic } from '@curation/contracts';

type EnrichedData = EventDataOf<typeof Topic.ItemEnriched>;

/** An `enriched` payload whose only image sources are the given candidates (and `extra`). */
export function enrichedData(
  imageCandidates: EnrichedData['page']['imageCandidates'],
  extra: Partial<EnrichedData> = {},
): EnrichedData {
  return {
    source: 'submission',
    url: 'https://news.example/article',
    originalUrl: 'https://news.example/article',
    topics: ['HIMSS: Digital Health'],
    updatedAt: '2021-09-01T08:27:50.622Z',
    customFields: {},
    page: {
      finalUrl: 'https://news.example/article',
      htmlMetaData: {},
      openGraphMetaData: {},
      twitterMetaData: {},
      authors: [],
      imageCandidates,
    },
    article: { title: 'An article', bodyHtml: '<p>Body</p>', description: 'Body' },
    derived: { brand: 'news.example', slug: 'news-an-article' },
    relatedOfferings: [],
    ...extra,
  };
}
