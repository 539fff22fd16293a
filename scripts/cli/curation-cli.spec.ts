import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCli } from './curation-cli';

describe('curation CLI arguments', () => {
  let errorOutput: jest.SpyInstance;
  let standardOutput: jest.SpyInstance;

  beforeEach(() => {
    errorOutput = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    standardOutput = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  it('prints help and succeeds', async () => {
    await expect(runCli(['--help'])).resolves.toBe(0);
    expect(standardOutput.mock.calls.join('')).toMatch(/dlq/);
  });

  it.each([
    [['no-such-command']],
    [['dlq', 'replay']],
    [['dlq', 'replay', 'curation.item.received']],
    [['dlq', 'replay', 'curation.item.received', '--offset', 'zero']],
    [['items', 'list', '--state', 'sideways']],
    [['items', 'list', '--limit', '-3']],
    [['replay', 'curation.item.received']],
    [['replay', 'curation.item.received', '--service', 'enrichment']],
    [['replay', 'curation.item.received', '--service', 'enrichment', '--from-time', 'yesterday']],
    [['replay', 'no.such.topic', '--service', 'enrichment', '--from-offset', '0']],
    [['items', 'find']],
    [['items', 'find', '--work-package', 'seven']],
    [['items', 'retry']],
    [['items', 'retry', 'not-a-uuid']],
    [['items', 'retry', '66720087-aaf7-5d6b-ae8c-072d9430ecc3', '--state', 'failed']],
    [['items', 'retry', '--state', 'completed']],
    [['items', 'retry', '--state', 'failed', '--since', 'last week']],
    [['items', 'remove']],
    [['items', 'remove', 'not-a-uuid']],
  ])('exits 2 with a message for %j', async (argv) => {
    await expect(runCli(argv)).resolves.toBe(2);
    const said = [...errorOutput.mock.calls, ...(console.error as jest.Mock).mock.calls].join('');
    expect(said).toMatch(/error/i);
  });
});

describe('curation CLI: the ingestion API token', () => {
  const saved = { ...process.env };
  let server: Server;
  const seen: Array<string | undefined> = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(request.headers.authorization);
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ itemId: 'x', state: 'completed' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    process.env = saved;
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    seen.length = 0;
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const { port } = server.address() as AddressInfo;
    process.env = {
      ...saved,
      KAFKA_BROKERS: '127.0.0.1:1',
      REDIS_URL: 'redis://127.0.0.1:1',
      INGESTION_URL: `http://127.0.0.1:${port}`,
    };
  });

  afterEach(() => jest.restoreAllMocks());

  const itemId = '66720087-aaf7-5d6b-ae8c-072d9430ecc3';

  it('sends INGESTION_API_TOKEN from the environment as a Bearer token', async () => {
    process.env.INGESTION_API_TOKEN = 'cli-token-123';
    await expect(runCli(['items', 'show', itemId])).resolves.toBe(0);
    expect(seen).toEqual(['Bearer cli-token-123']);
  });

  it('sends no Authorization header without a token', async () => {
    delete process.env.INGESTION_API_TOKEN;
    await expect(runCli(['items', 'show', itemId])).resolves.toBe(0);
    expect(seen).toEqual([undefined]);
  });
});

describe('curation CLI: operator commands against ingestion', () => {
  const saved = { ...process.env };
  let server: Server;
  const requests: string[] = [];
  let printed: string[] = [];
  const older = '11111111-1111-5111-8111-111111111111';
  const newer = '22222222-2222-5222-8222-222222222222';

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests.push(`${request.method} ${request.url}`);
      response.setHeader('content-type', 'application/json');
      const url = request.url ?? '';
      if (request.method === 'GET' && url.startsWith('/v1/items?workPackageId=')) {
        response.end(JSON.stringify({ items: [{ itemId: newer, state: 'completed' }] }));
      } else if (request.method === 'GET' && url.startsWith('/v1/items?state=failed')) {
        response.end(
          JSON.stringify({
            items: [
              { itemId: newer, state: 'failed', lastError: { at: '2026-12-02T10:00:00Z' } },
              { itemId: older, state: 'failed', lastError: { at: '2026-11-01T10:00:00Z' } },
            ],
          }),
        );
      } else if (request.method === 'POST' && url === `/v1/items/${older}/retry`) {
        response.statusCode = 409;
        response.end(JSON.stringify({ message: 'the item is completed, not failed' }));
      } else if (request.method === 'POST' && url.endsWith('/retry')) {
        response.statusCode = 202;
        response.end(JSON.stringify({ itemId: newer, state: 'in-progress', attempt: 2 }));
      } else if (request.method === 'DELETE') {
        response.statusCode = 202;
        response.end(JSON.stringify({ itemId: newer, revision: 4 }));
      } else if (request.method === 'POST' && url === '/v1/reconcile') {
        response.end(JSON.stringify({ status: 'completed', checked: 3 }));
      } else {
        response.statusCode = 404;
        response.end(JSON.stringify({ message: 'not here' }));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    process.env = saved;
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    requests.length = 0;
    printed = [];
    process.exitCode = undefined;
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    jest
      .spyOn(console, 'log')
      .mockImplementation((...values: unknown[]) => void printed.push(values.join(' ')));
    const { port } = server.address() as AddressInfo;
    process.env = {
      ...saved,
      KAFKA_BROKERS: '127.0.0.1:1',
      REDIS_URL: 'redis://127.0.0.1:1',
      INGESTION_URL: `http://127.0.0.1:${port}`,
      INGESTION_API_TOKEN: 'cli-token-123',
    };
  });

  afterEach(() => {
    jest.restoreAllMocks();
    process.exitCode = undefined;
  });

  it('items find --work-package asks for the items of that work package', async () => {
    await expect(runCli(['items', 'find', '--work-package', '7614', '--json'])).resolves.toBe(0);
    expect(requests).toEqual(['GET /v1/items?workPackageId=7614']);
    expect(JSON.parse(printed.join('\n'))).toEqual({
      items: [{ itemId: newer, state: 'completed' }],
    });
  });

  it('items retry <id> posts a retry and prints the outcome as JSON', async () => {
    await expect(runCli(['items', 'retry', newer, '--json'])).resolves.toBe(0);
    expect(requests).toEqual([`POST /v1/items/${newer}/retry`]);
    expect(JSON.parse(printed.join('\n'))).toMatchObject({ itemId: newer, outcome: 'started' });
  });

  it('items retry <id> of an item that is not failed says why and exits non-zero', async () => {
    await runCli(['items', 'retry', older]);
    expect(process.exitCode).toBe(1);
    expect(printed.join('\n')).toMatch(/conflict.*completed, not failed/);
  });

  it('items retry --state failed --since retries only the items that failed since then', async () => {
    await expect(
      runCli(['items', 'retry', '--state', 'failed', '--since', '2026-12-01T00:00:00Z', '--json']),
    ).resolves.toBe(0);
    expect(requests).toEqual([
      'GET /v1/items?state=failed&limit=500',
      `POST /v1/items/${newer}/retry`,
    ]);
    expect(JSON.parse(printed.join('\n'))).toMatchObject({ started: 1 });
  });

  it('items retry --state failed retries every failed item and reports each outcome', async () => {
    await expect(runCli(['items', 'retry', '--state', 'failed', '--json'])).resolves.toBe(0);
    expect(JSON.parse(printed.join('\n'))).toMatchObject({
      started: 1,
      results: [
        { itemId: newer, outcome: 'started' },
        { itemId: older, outcome: 'conflict' },
      ],
    });
  });

  it('items remove <id> sends DELETE', async () => {
    await expect(runCli(['items', 'remove', newer, '--json'])).resolves.toBe(0);
    expect(requests).toEqual([`DELETE /v1/items/${newer}`]);
    expect(JSON.parse(printed.join('\n'))).toEqual({ itemId: newer, revision: 4 });
  });

  it('reconcile runs a sweep now', async () => {
    await expect(runCli(['reconcile', '--json'])).resolves.toBe(0);
    expect(requests).toEqual(['POST /v1/reconcile']);
    expect(JSON.parse(printed.join('\n'))).toMatchObject({ checked: 3 });
  });
});
