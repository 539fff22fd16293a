import { searchIndexingConfigSchema } from './config/search-indexing.config';
import { searchIndexingHttpOptions } from './search-indexing.http';

const required = {
  KAFKA_BROKERS: 'localhost:9092',
  OPENSEARCH_URL: 'http://localhost:9200',
  S3_ENDPOINT: 'http://localhost:9000',
  S3_ACCESS_KEY_ID: 'key',
  S3_SECRET_ACCESS_KEY: 'secret',
};

function problems(environment: Record<string, string>): string[] {
  const result = searchIndexingConfigSchema.safeParse({ ...required, ...environment });
  return result.success
    ? []
    : result.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`);
}

describe('search-indexing HTTP options', () => {
  it('sends no CORS headers unless SEARCH_CORS_ORIGINS lists origins, in every environment', () => {
    for (const NODE_ENV of ['development', 'production']) {
      const config = searchIndexingConfigSchema.parse({ ...required, NODE_ENV });
      expect(searchIndexingHttpOptions(config).cors).toBeUndefined();
    }
  });

  it('allows exactly the listed origins, read-only', () => {
    const config = searchIndexingConfigSchema.parse({
      ...required,
      SEARCH_CORS_ORIGINS: ' https://www.example.org, http://localhost:1313 ',
    });
    expect(searchIndexingHttpOptions(config).cors).toMatchObject({
      origin: ['https://www.example.org', 'http://localhost:1313'],
      methods: ['GET', 'HEAD'],
    });
    const any = searchIndexingConfigSchema.parse({ ...required, SEARCH_CORS_ORIGINS: '*' });
    expect(searchIndexingHttpOptions(any).cors).toMatchObject({ origin: '*' });
  });

  it('refuses origins with a path and cursor keys shorter than 32 characters', () => {
    expect(problems({ SEARCH_CORS_ORIGINS: 'https://www.example.org/search' })).toEqual([
      expect.stringMatching(/^SEARCH_CORS_ORIGINS: a comma list of origins/),
    ]);
    expect(problems({ SEARCH_CURSOR_SECRET: 'short' })).toEqual([
      'SEARCH_CURSOR_SECRET: at least 32 characters',
    ]);
    expect(problems({ SEARCH_CURSOR_SECRET: '' })).toEqual([]);
    expect(problems({ SEARCH_CURSOR_KEEP_ALIVE: 'forever' })).toEqual([
      'SEARCH_CURSOR_KEEP_ALIVE: an OpenSearch time value such as 5m',
    ]);
  });

  it('always describes the API at /openapi.json and /docs', () => {
    const config = searchIndexingConfigSchema.parse(required);
    expect(searchIndexingHttpOptions(config).openApi).toMatchObject({ title: 'search-indexing' });
  });
});
