import { indexNamePattern } from '@curation/search';

export interface IndexTemplateSettings {
  alias: string;
  shards: number;
  replicas: number;
  deleteTombstoneRetention: string;
}

const keyword = { type: 'keyword' } as const;
const storedOnly = { type: 'keyword', index: false, doc_values: false } as const;

/**
 * Explicit mappings (dynamic: strict), so a document that does not fit fails on its own
 * instead of silently widening the index.
 */
export function curatedContentIndexTemplate(settings: IndexTemplateSettings) {
  return {
    index_patterns: [indexNamePattern(settings.alias)],
    priority: 100,
    template: {
      settings: {
        number_of_shards: settings.shards,
        number_of_replicas: settings.replicas,
        // External-version deletes are remembered this long; see the removal path.
        gc_deletes: settings.deleteTombstoneRetention,
        analysis: {
          char_filter: { body_html: { type: 'html_strip' } },
          filter: {
            english_stop: { type: 'stop', stopwords: '_english_' },
            english_stemmer: { type: 'stemmer', language: 'english' },
            english_possessive_stemmer: { type: 'stemmer', language: 'possessive_english' },
          },
          analyzer: {
            // The english analyzer with the markup stripped first.
            english_html: {
              type: 'custom',
              char_filter: ['body_html'],
              tokenizer: 'standard',
              filter: [
                'english_possessive_stemmer',
                'lowercase',
                'english_stop',
                'english_stemmer',
              ],
            },
          },
        },
      },
      mappings: {
        dynamic: 'strict',
        properties: {
          itemId: keyword,
          revision: { type: 'long' },
          contentType: keyword,
          workPackageId: { type: 'long' },
          title: {
            type: 'text',
            analyzer: 'english',
            fields: {
              raw: { type: 'keyword', ignore_above: 512 },
              // Type-ahead: edge n-grams plus 2- and 3-word shingles, for `bool_prefix` queries.
              suggest: { type: 'search_as_you_type' },
            },
          },
          description: { type: 'text', analyzer: 'english' },
          body: { type: 'text', analyzer: 'english_html' },
          categories: keyword,
          categoryLabels: keyword,
          brand: keyword,
          offeringIds: keyword,
          url: keyword,
          slug: keyword,
          documentKey: storedOnly,
          imageKey: storedOnly,
          date: { type: 'date', format: 'strict_date_optional_time' },
          lastMod: { type: 'date', format: 'strict_date_optional_time' },
          // What the page said of itself; null when it did not say.
          publishedAt: { type: 'date', format: 'strict_date_optional_time' },
          // `publishedAt` when the page said it, else `lastMod`: what date filters and sort use.
          sortDate: { type: 'date', format: 'strict_date_optional_time' },
          modifiedAt: { type: 'date', format: 'strict_date_optional_time' },
          // A page may name any canonical URL: one too long to index is kept, not searchable.
          canonicalUrl: { type: 'keyword', ignore_above: 2048 },
          siteName: keyword,
          lang: keyword,
          publisher: keyword,
          placeholder: storedOnly,
          dominantColor: keyword,
          renditions: { type: 'object', enabled: false },
          // The whole front matter travels with the hit but is never searched.
          frontMatter: { type: 'object', enabled: false },
        },
      },
    },
  };
}
