import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CURATED_TYPE, eventually, StandInOpenProject, workPackageJson } from '@curation/testing';
import { OpenProjectClient } from './openproject.client';
import {
  OpenProjectOriginError,
  OpenProjectRequestError,
  OpenProjectUnavailableError,
} from './openproject.errors';

describe('OpenProjectClient against a stand-in API v3 on loopback', () => {
  const openProject = new StandInOpenProject();
  let storage: Server;
  let storageUrl: string;
  const storageRequests: Array<{ path: string; authorization?: string }> = [];

  const client = (options: Partial<ConstructorParameters<typeof OpenProjectClient>[0]> = {}) =>
    new OpenProjectClient({
      baseUrl: `${openProject.baseUrl}/`,
      apiKey: openProject.apiKey,
      retryInitialDelayMs: 20,
      retryMaxDelayMs: 100,
      retryBudgetMs: 20000,
      ...options,
    });

  beforeAll(async () => {
    await openProject.start();
    storage = createServer((request, response) => {
      storageRequests.push({
        path: request.url ?? '',
        authorization: request.headers.authorization,
      });
      response.writeHead(200, { 'content-type': 'image/jpeg' });
      response.end(Buffer.from('remote-bytes'));
    });
    await new Promise<void>((resolve) => storage.listen(0, '127.0.0.1', resolve));
    storageUrl = `http://127.0.0.1:${(storage.address() as AddressInfo).port}`;
    for (let id = 1; id <= 7; id++) openProject.put(workPackageJson({ id: 9000 + id }));
  });

  afterAll(async () => {
    await openProject.stop();
    await new Promise((resolve) => storage.close(resolve));
  });

  it('authenticates with basic auth as user apikey and parses the work package', async () => {
    const workPackage = await client().getWorkPackage(9001);
    expect(workPackage?.id).toBe(9001);
    expect(workPackage?._links.type.title).toBe(CURATED_TYPE.name);
    expect(openProject.requestsTo('/api/v3/work_packages/9001')[0].authorization).toBe(
      `Basic ${Buffer.from(`apikey:${openProject.apiKey}`).toString('base64')}`,
    );
  });

  it('gives undefined for a missing work package and an error for rejected credentials', async () => {
    await expect(client().getWorkPackage(1)).resolves.toBeUndefined();
    await expect(client({ apiKey: 'wrong' }).getWorkPackage(9001)).rejects.toThrow(
      OpenProjectRequestError,
    );
  });

  it('keeps retrying while OpenProject answers 503 and succeeds once it is back', async () => {
    openProject.available = false;
    const retries: number[] = [];
    const pending = client({ onRetry: ({ attempt }) => retries.push(attempt) }).getWorkPackage(
      9002,
    );
    await eventually(async () => (retries.length >= 2 ? true : undefined));
    openProject.available = true;
    await expect(pending).resolves.toMatchObject({ id: 9002 });
    expect(retries.length).toBeGreaterThan(1);
  });

  it('gives up with OpenProjectUnavailableError once the retry budget is spent, or at once without retries', async () => {
    openProject.available = false;
    try {
      await expect(client({ retryBudgetMs: 300 }).getWorkPackage(9002)).rejects.toThrow(
        OpenProjectUnavailableError,
      );
      const before = openProject.requests.length;
      await expect(client().getWorkPackage(9002, { retry: false })).rejects.toThrow(
        OpenProjectUnavailableError,
      );
      expect(openProject.requests.length - before).toBe(1);
    } finally {
      openProject.available = true;
    }
    const closedPort = client({ baseUrl: 'http://127.0.0.1:1', retryBudgetMs: 200 });
    await expect(closedPort.getType(7)).rejects.toThrow(OpenProjectUnavailableError);
  });

  it('pages through a filtered list and reads schemas and attachments', async () => {
    const api = client();
    const pages: number[][] = [];
    for await (const page of api.workPackagePages(
      [
        { id: { operator: '=', values: ['9001', '9002', '9003', '9004', '9005'] } },
        { status: { operator: '*', values: [] } },
      ],
      2,
    )) {
      pages.push(page.map((workPackage) => workPackage.id));
    }
    expect(pages).toEqual([[9001, 9002], [9003, 9004], [9005]]);

    const collection = await api.listWorkPackages({
      filters: [{ id: { operator: '=', values: ['9006'] } }],
      pageSize: 1,
      page: 1,
    });
    const [listed] = collection._embedded.elements;
    expect(listed._embedded?.attachments).toBeUndefined();
    const attachments = await api.getAttachments(listed);
    expect(attachments.map((attachment) => attachment.fileName)).toEqual([
      'Curated_Featured_Image.jpg',
    ]);

    const schema = await api.getWorkPackageSchema(listed._links.schema.href!);
    expect(schema.customFields.get('customField21')).toMatchObject({
      name: 'medigyTopics',
      location: '_links',
    });
  });

  it('credentials only where they belong: the API key is sent to the OPENPROJECT_URL origin only, whatever href a response names', async () => {
    const api = client();
    const workPackage = (await api.getWorkPackage(9007))!;
    const schemaPath = workPackage._links.schema.href!;
    const before = storageRequests.length;
    // An absolute href to another origin (here another port of the same loopback host).
    await expect(api.getWorkPackageSchema(`${storageUrl}${schemaPath}`)).rejects.toThrow(
      OpenProjectOriginError,
    );
    const elsewhere = {
      ...workPackage,
      _embedded: undefined,
      _links: { ...workPackage._links, attachments: { href: `${storageUrl}/attachments` } },
    };
    await expect(api.getAttachments(elsewhere)).rejects.toThrow(
      /refusing to send the OpenProject API key/,
    );
    expect(storageRequests.length).toBe(before);
    // An absolute href on the configured origin is followed.
    const schema = await api.getWorkPackageSchema(`${openProject.baseUrl}${schemaPath}`);
    expect(schema.customFields.size).toBeGreaterThan(0);
  });
});
