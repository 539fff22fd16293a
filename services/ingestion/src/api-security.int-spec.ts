import { itemIdForWorkPackage } from '@curation/contracts';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePorts } from '../../../infra/src/free-ports';
import { spawnService, stopProcess, waitUntilLive } from '../../../scripts/pipeline-processes';
import { StandInOpenProject, uniqueName, webhookBody, workPackageJson } from '@curation/testing';
import { webhookSignature } from './services/webhook-signature';
import {
  kafkaAndRedis,
  startIngestion,
  type IngestionHarness,
} from './testing/ingestion-app.harness';

const TOKEN = 'api-security-token';
const SECRET = 'api-security-webhook-secret';
const BODY_LIMIT = 64 * 1024;

interface Route {
  method: string;
  path: string;
}

/** Every route the Nest router registered on express, as `METHOD /path`. */
function registeredRoutes(harness: IngestionHarness): Route[] {
  const express: {
    router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> };
  } = harness.app.getHttpAdapter().getInstance();
  return express.router.stack.flatMap((layer) =>
    layer.route
      ? Object.keys(layer.route.methods)
          .filter((method) => method !== '_all')
          .map((method) => ({ method: method.toUpperCase(), path: layer.route!.path }))
      : [],
  );
}

/** A concrete URL for a route template: parameters become a fresh UUID. */
function concrete(path: string): string {
  return path.replace(/:[A-Za-z]+/g, randomUUID());
}

describe('ingestion API security (real Kafka and Redis)', () => {
  const prefix = uniqueName('ingestion-security');
  const openProject = new StandInOpenProject();
  let ingestion: IngestionHarness;

  const request = (path: string, init: RequestInit = {}) => fetch(`${ingestion.url}${path}`, init);

  beforeAll(async () => {
    await openProject.start();
    ingestion = await startIngestion({
      KAFKA_CLIENT_ID_PREFIX: prefix,
      INGESTION_REDIS_KEY_PREFIX: prefix,
      OPENPROJECT_URL: openProject.baseUrl,
      OPENPROJECT_API_KEY: openProject.apiKey,
      OPENPROJECT_WEBHOOK_SECRET: SECRET,
      OPENPROJECT_TYPE_ID: '7',
      INGESTION_API_TOKEN: TOKEN,
      INGESTION_MAX_BODY_BYTES: String(BODY_LIMIT),
    });
  });

  afterAll(async () => {
    await ingestion?.close();
    await openProject.stop();
  });

  describe('token: every /v1 route needs the Bearer token when one is set', () => {
    let apiRoutes: Route[];

    beforeAll(() => {
      apiRoutes = registeredRoutes(ingestion).filter((route) => /^\/v1(\/|$)/i.test(route.path));
    });

    it('finds the API routes in the Nest router, status routes included', () => {
      const names = apiRoutes.map((route) => `${route.method} ${route.path}`);
      expect(names).toEqual(
        expect.arrayContaining([
          'POST /v1/items',
          'POST /v1/offerings',
          'POST /v1/reconcile',
          'GET /v1/items',
          'GET /v1/items/:itemId',
        ]),
      );
    });

    it('answers 401 on every /v1 route without a token, with a wrong one, or in other case', async () => {
      const refused: string[] = [];
      for (const route of apiRoutes) {
        const path = concrete(route.path);
        const attempts: Array<[string, RequestInit]> = [
          [path, {}],
          [path, { headers: { authorization: 'Bearer not-the-token' } }],
          [path, { headers: { authorization: `Basic ${TOKEN}` } }],
          [path.replace(/^\/v1/, '/V1'), {}],
        ];
        for (const [url, init] of attempts) {
          const answer = await request(url, {
            ...init,
            method: route.method,
            headers: { 'content-type': 'application/json', ...init.headers },
            body: route.method === 'GET' ? undefined : '{}',
          });
          if (answer.status !== 401) refused.push(`${route.method} ${url} → ${answer.status}`);
        }
      }
      expect(refused).toEqual([]);
    });

    it('lets the token through, and leaves health, metrics and the webhook to their own rules', async () => {
      const auth = { authorization: `Bearer ${TOKEN}` };
      expect((await request('/v1/items?state=failed', { headers: auth })).status).toBe(200);
      expect((await request(`/v1/items/${randomUUID()}`, { headers: auth })).status).toBe(404);
      expect((await request('/health/live')).status).toBe(200);
      expect((await request('/metrics')).status).toBe(200);
    });
  });

  describe('webhook: the signature is checked on the raw bytes, after the size cap, before parsing', () => {
    const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
      request('/webhooks/openproject', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });

    it('answers 401 to an unsigned body that is not JSON (no parser ran before the check)', async () => {
      expect((await post('{"action": ')).status).toBe(401);
      expect((await post('{"action": ', { 'x-op-signature': 'sha1=00' })).status).toBe(401);
    });

    it('answers 400 to a signed body that is not JSON', async () => {
      const body = '{"action": ';
      expect((await post(body, { 'x-op-signature': webhookSignature(body, SECRET) })).status).toBe(
        400,
      );
    });

    it('answers 413 to a body over INGESTION_MAX_BODY_BYTES, signed or not', async () => {
      const oversized = Buffer.alloc(BODY_LIMIT + 1, 'a');
      expect((await post(oversized)).status).toBe(413);
      expect(
        (await post(oversized, { 'x-op-signature': webhookSignature(oversized, SECRET) })).status,
      ).toBe(413);
    });

    it('verifies the bytes as sent, whatever the content type or the path case', async () => {
      const body = webhookBody('project:updated', workPackageJson({ id: 7801 }));
      const signature = webhookSignature(body, SECRET);
      expect((await post(body, { 'x-op-signature': signature })).status).toBe(202);
      const asText = await post(body, {
        'x-op-signature': signature,
        'content-type': 'text/plain',
      });
      expect(asText.status).toBe(202);
      const otherCase = await request('/Webhooks/OpenProject/', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-op-signature': signature },
        body: '{"action": ',
      });
      expect(otherCase.status).toBe(401);
    });
  });

  describe('id namespaces: a submission cannot take over a work package item', () => {
    it('gives the work-package API URL submitted as an item an id of its own', async () => {
      const workPackageApiUrl = `${openProject.baseUrl}/api/v3/work_packages/7614`;
      const answer = await request('/v1/items', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ url: workPackageApiUrl, topics: ['HIMSS: Digital Health'] }),
      });
      expect(answer.status).toBe(202);
      const { itemId } = (await answer.json()) as { itemId: string };
      expect(itemId).not.toBe(itemIdForWorkPackage(openProject.baseUrl, 7614));
    });
  });
});

/** Values recognisable in any log line, raw or encoded. */
const SECRETS = {
  INGESTION_API_TOKEN: 'tok-SECRET-a1b2c3',
  OPENPROJECT_API_KEY: 'opkey-SECRET-d4e5f6',
  OPENPROJECT_WEBHOOK_SECRET: 'whsec-SECRET-g7h8i9',
  ADMIN_PASSWORD: 'admin-SECRET-j0k1l2',
  S3_SECRET_ACCESS_KEY: 's3key-SECRET-m3n4o5',
};

function forms(value: string): string[] {
  return [value, Buffer.from(value).toString('base64'), encodeURIComponent(value)];
}

describe('redaction: no secret reaches the logs of a running ingestion', () => {
  const prefix = uniqueName('ingestion-redaction');
  const openProject = new StandInOpenProject(SECRETS.OPENPROJECT_API_KEY);
  const logFile = join(mkdtempSync(join(tmpdir(), 'ingestion-redaction-')), 'ingestion.log');
  const cookie = 'session=cookie-SECRET-p6q7r8';
  const adminUser = 'operator';
  let url: string;
  let log: string;
  const sentCredentials: string[] = [];

  beforeAll(async () => {
    await openProject.start();
    const [port] = await findFreePorts(1);
    url = `http://127.0.0.1:${port}`;
    const infra = kafkaAndRedis();
    const child = spawnService(
      'ingestion',
      {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        LOG_LEVEL: 'trace',
        INGESTION_PORT: String(port),
        KAFKA_BROKERS: infra.KAFKA_BROKERS.join(','),
        KAFKA_CLIENT_ID_PREFIX: prefix,
        REDIS_URL: infra.REDIS_URL,
        INGESTION_REDIS_KEY_PREFIX: prefix,
        OPENPROJECT_URL: openProject.baseUrl,
        OPENPROJECT_TYPE_ID: '7',
        OPENPROJECT_SWEEP_INTERVAL_SECONDS: '0',
        ADMIN_USER: adminUser,
        ...SECRETS,
      },
      logFile,
    );
    try {
      await waitUntilLive(`${url}/health/live`, 60000);
      const bearer = `Bearer ${SECRETS.INGESTION_API_TOKEN}`;
      const basic = `Basic ${Buffer.from(`${adminUser}:${SECRETS.ADMIN_PASSWORD}`).toString('base64')}`;
      const wrongBasic = `Basic ${Buffer.from(`${adminUser}:wrong-SECRET-s9t0`).toString('base64')}`;
      const body = webhookBody('work_package:updated', workPackageJson({ id: 7802 }));
      const signature = webhookSignature(body, SECRETS.OPENPROJECT_WEBHOOK_SECRET);
      sentCredentials.push(cookie, basic, wrongBasic, signature, 'wrong-SECRET-s9t0');
      const answers = await Promise.all([
        fetch(`${url}/v1/items`, {
          method: 'POST',
          headers: { authorization: bearer, cookie, 'content-type': 'application/json' },
          body: JSON.stringify({ url: `https://example.com/${randomUUID()}`, topics: ['a'] }),
        }),
        fetch(`${url}/v1/items?state=failed`, { headers: { authorization: bearer, cookie } }),
        fetch(`${url}/v1/items/${randomUUID()}`, {
          headers: { authorization: 'Bearer wrong-SECRET-s9t0' },
        }),
        fetch(`${url}/webhooks/openproject`, {
          method: 'POST',
          headers: { 'x-op-signature': signature, 'content-type': 'application/json', cookie },
          body,
        }),
        fetch(`${url}/admin/queues`, { headers: { authorization: basic, cookie } }),
        fetch(`${url}/admin/queues`, { headers: { authorization: wrongBasic } }),
        fetch(`${url}/health/ready`, { headers: { authorization: bearer } }),
      ]);
      expect(answers.slice(0, 6).map((answer) => answer.status)).toEqual([
        202, 200, 401, 202, 200, 401,
      ]);
    } finally {
      await stopProcess(child);
      await openProject.stop();
    }
    // The log file is written from the child's pipes: let the last lines land.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    log = readFileSync(logFile, 'utf8');
  });

  it('logged the requests, with credentials shown as [redacted]', () => {
    expect(log).toMatch(/"url":"\/v1\/items"/);
    expect(log).toMatch(/"url":"\/admin\/queues"/);
    expect(log).toMatch(/"authorization":"\[redacted\]"/);
    expect(log).toMatch(/"cookie":"\[redacted\]"/);
    expect(log).toMatch(/"x-op-signature":"\[redacted\]"/);
  });

  it.each(Object.entries(SECRETS))('never logs %s', (_name, value) => {
    for (const form of forms(value)) expect(log).not.toContain(form);
  });

  it('never logs a cookie, a Basic credential, a wrong token or a webhook signature', () => {
    for (const credential of sentCredentials) expect(log).not.toContain(credential);
  });
});

describe('closed by default: NODE_ENV=production refuses to start without a token', () => {
  /** Runs the built service until it exits, or until its output matches `until` (then stops it). */
  function run(
    environment: Record<string, string>,
    until?: RegExp,
  ): Promise<{ code: number | null; output: string }> {
    const infra = kafkaAndRedis();
    const child = spawn(process.execPath, [join(__dirname, '..', 'dist', 'main.js')], {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        KAFKA_BROKERS: infra.KAFKA_BROKERS.join(','),
        REDIS_URL: infra.REDIS_URL,
        OPENPROJECT_URL: 'http://openproject.invalid',
        OPENPROJECT_API_KEY: 'key-SECRET-x1',
        OPENPROJECT_WEBHOOK_SECRET: 'secret-SECRET-x2',
        OPENPROJECT_TYPE_ID: '7',
        OPENPROJECT_SWEEP_INTERVAL_SECONDS: '0',
        ...environment,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (until?.test(output)) void stopProcess(child);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
  }

  it('exits 1 naming INGESTION_API_TOKEN and INGESTION_API_OPEN', async () => {
    const { code, output } = await run({});
    expect(code).toBe(1);
    expect(output).toMatch(/INGESTION_API_TOKEN: required with NODE_ENV=production/);
    expect(output).toMatch(/INGESTION_API_OPEN=true/);
    expect(output).not.toMatch(/SECRET-x/);
  });

  it('exits 1 with DEVELOPMENT_MODE=true, naming both variables', async () => {
    const { code, output } = await run({
      INGESTION_API_TOKEN: 'tok-SECRET-x3',
      DEVELOPMENT_MODE: 'true',
    });
    expect(code).toBe(1);
    expect(output).toMatch(
      /DEVELOPMENT_MODE: DEVELOPMENT_MODE=true is refused with NODE_ENV=production/,
    );
    expect(output).not.toMatch(/SECRET-x/);
  });

  it('starts with INGESTION_API_OPEN=true and warns that the API is open', async () => {
    const { output } = await run(
      { INGESTION_API_OPEN: 'true', KAFKA_CLIENT_ID_PREFIX: uniqueName('ingestion-open') },
      /WITHOUT a token in production/,
    );
    expect(output).toMatch(
      /"level":40.*INGESTION_API_OPEN=true: \/v1\/\* is served WITHOUT a token/,
    );
  });
});
