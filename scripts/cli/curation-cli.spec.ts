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
