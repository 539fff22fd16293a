import SwaggerParser from '@apidevtools/swagger-parser';
import { createOpenSearchClient } from '@curation/search';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePorts } from '../../infra/src/free-ports';
import { spawnService, stopProcess, waitUntilLive } from '../../scripts/pipeline-processes';
import { StandInOpenProject } from '../fixtures/openproject/stand-in-openproject';
import { testEnvironment, uniqueName } from '../support/test-environment';

/**
 * Both services as `npm start` runs them (built `dist/main.js`, production settings): the API
 * description is generated at start-up, served without a token, and valid OpenAPI 3.
 */
describe('OpenAPI documents and Swagger UI of the running services', () => {
  const environment = testEnvironment();
  const run = uniqueName('openapi');
  const logDirectory = mkdtempSync(join(tmpdir(), 'openapi-docs-'));
  const openProject = new StandInOpenProject('opkey-openapi-test');
  const children: ChildProcess[] = [];
  const urls: Record<'ingestion' | 'search', string> = { ingestion: '', search: '' };
  const token = 'openapi-test-token';
  const allowedOrigin = 'https://consumer.example.org';
  const alias = `${run}-content`;

  const shared = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    KAFKA_BROKERS: environment.KAFKA_BROKERS.join(','),
    KAFKA_CLIENT_ID_PREFIX: run,
    // New consumer groups of this run must not replay the shared broker's history (and publish
    // `indexed` events for other tests' items).
    KAFKA_NEW_GROUP_START: 'latest',
  };

  async function start(name: 'ingestion' | 'search-indexing', env: Record<string, string>) {
    const child = spawnService(name, { ...shared, ...env }, join(logDirectory, `${name}.log`));
    children.push(child);
    return child;
  }

  beforeAll(async () => {
    await openProject.start();
    const [ingestionPort, searchPort] = await findFreePorts(2);
    urls.ingestion = `http://127.0.0.1:${ingestionPort}`;
    urls.search = `http://127.0.0.1:${searchPort}`;
    await start('ingestion', {
      INGESTION_PORT: String(ingestionPort),
      REDIS_URL: environment.REDIS_URL,
      INGESTION_REDIS_KEY_PREFIX: run,
      OPENPROJECT_URL: openProject.baseUrl,
      OPENPROJECT_TYPE_ID: '7',
      OPENPROJECT_SWEEP_INTERVAL_SECONDS: '0',
      OPENPROJECT_API_KEY: 'opkey-openapi-test',
      OPENPROJECT_WEBHOOK_SECRET: 'whsec-openapi-test',
      ADMIN_PASSWORD: 'admin-openapi-test',
      INGESTION_API_TOKEN: token,
    });
    await start('search-indexing', {
      SEARCH_INDEXING_PORT: String(searchPort),
      OPENSEARCH_URL: environment.OPENSEARCH_URL,
      S3_ENDPOINT: environment.S3_ENDPOINT,
      S3_ACCESS_KEY_ID: environment.S3_ACCESS_KEY_ID,
      S3_SECRET_ACCESS_KEY: environment.S3_SECRET_ACCESS_KEY,
      S3_REGION: environment.S3_REGION,
      S3_BUCKET: run,
      SEARCH_INDEX_ALIAS: alias,
      SEARCH_INDEX_REPLICAS: '0',
      SEARCH_CORS_ORIGINS: `${allowedOrigin}, https://other-consumer.example.org`,
    });
    try {
      await waitUntilLive(`${urls.ingestion}/health/live`, 90000);
      await waitUntilLive(`${urls.search}/health/live`, 90000);
    } catch (error) {
      for (const name of ['ingestion', 'search-indexing']) {
        console.error(readFileSync(join(logDirectory, `${name}.log`), 'utf8').slice(-3000));
      }
      throw error;
    }
  });

  afterAll(async () => {
    await Promise.all(children.map((child) => stopProcess(child)));
    await openProject.stop();
    const client = createOpenSearchClient(environment.OPENSEARCH_URL);
    await client.indices.delete({ index: `${alias}-v*`, ignore_unavailable: true });
    await client.indices.deleteIndexTemplate({ name: alias }, { ignore: [404] });
    await client.close();
  });

  async function validDocument(url: string): Promise<{ paths: Record<string, object> }> {
    const response = await fetch(`${url}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const document = (await response.json()) as { openapi: string; paths: Record<string, object> };
    expect(document.openapi).toMatch(/^3\./);
    // Throws, naming the first problem, when the document breaks the OpenAPI 3 schema.
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
    return document;
  }

  it('ingestion: valid, lists the submission and operator routes, served without the token', async () => {
    const document = await validDocument(urls.ingestion);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/v1/items',
        '/v1/items/{itemId}',
        '/v1/items/{itemId}/retry',
        '/v1/offerings',
        '/v1/reconcile',
        '/webhooks/openproject',
      ]),
    );
    const submit = (document.paths['/v1/items'] as Record<string, Record<string, unknown>>).post;
    expect(submit.security).toEqual([{ bearer: [] }]);
    expect(JSON.stringify(submit.requestBody)).toMatch(/"topics"/);
    const list = (document.paths['/v1/items'] as Record<string, { parameters: object[] }>).get;
    expect(list.parameters).toEqual(
      expect.arrayContaining(
        ['workPackageId', 'state', 'limit'].map((name) =>
          expect.objectContaining({ name, in: 'query', required: false }),
        ),
      ),
    );
    // The description is public; the API it describes is not.
    expect((await fetch(`${urls.ingestion}/v1/items?state=failed`)).status).toBe(401);
    const docs = await fetch(`${urls.ingestion}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toMatch(/swagger-ui/i);
  });

  it('search-indexing: valid, lists search and suggest, Swagger UI with its assets', async () => {
    const document = await validDocument(urls.search);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/search', '/v1/suggest', '/v1/items/{itemId}/document']),
    );
    const docs = await fetch(`${urls.search}/docs`);
    expect(docs.status).toBe(200);
    const bundle = await fetch(`${urls.search}/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.text()).length).toBeGreaterThan(10000);
  });

  it('search-indexing: CORS headers for the listed origins only (SEARCH_CORS_ORIGINS)', async () => {
    const allowed = await fetch(`${urls.search}/v1/suggest?q=re`, {
      headers: { origin: allowedOrigin },
    });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
    const preflight = await fetch(`${urls.search}/v1/search`, {
      method: 'OPTIONS',
      headers: { origin: allowedOrigin, 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,HEAD');
    const other = await fetch(`${urls.search}/v1/suggest?q=re`, {
      headers: { origin: 'https://elsewhere.example.net' },
    });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
