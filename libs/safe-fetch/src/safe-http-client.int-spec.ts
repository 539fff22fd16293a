import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SafeFetchError } from './safe-fetch.error';
import { SafeHttpClient, type SafeFetchOptions } from './safe-http-client';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const LOOPBACK = ['127.0.0.0/8'];

function startServer(handler: Handler): Promise<{ server: Server; origin: string }> {
  const server = createServer(handler);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, origin: `http://127.0.0.1:${port}` });
    });
  });
}

async function failure(promise: Promise<unknown>): Promise<SafeFetchError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SafeFetchError) return error;
    throw error;
  }
  throw new Error('expected the fetch to fail');
}

describe('SafeHttpClient against loopback servers', () => {
  const defaults: SafeFetchOptions = {
    maxBytes: 64 * 1024,
    connectTimeoutMs: 2000,
    totalTimeoutMs: 1500,
    maxRedirects: 3,
    allowHosts: LOOPBACK,
  };
  const client = new SafeHttpClient(defaults);
  const seen: IncomingMessage[] = [];
  const openResponses = new Set<ServerResponse>();
  let site: { server: Server; origin: string };
  let other: { server: Server; origin: string };

  beforeAll(async () => {
    other = await startServer((req, res) => {
      seen.push(req);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('other origin');
    });
    site = await startServer((req, res) => {
      seen.push(req);
      const path = req.url ?? '/';
      if (path === '/ok') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<p>hello</p>');
      } else if (path.startsWith('/chain/')) {
        const left = Number(path.split('/')[2]);
        if (left === 0) res.writeHead(200, { 'content-type': 'text/plain' }).end('end of chain');
        else res.writeHead(302, { location: `/chain/${left - 1}` }).end();
      } else if (path === '/to-metadata') {
        res.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      } else if (path === '/to-other') {
        res.writeHead(307, { location: `${other.origin}/landing` }).end();
      } else if (path === '/to-file') {
        res.writeHead(302, { location: 'file:///etc/passwd' }).end();
      } else if (path === '/huge') {
        res.writeHead(200, { 'content-type': 'text/html' });
        const chunk = Buffer.alloc(16 * 1024, 'a');
        const write = (): void => {
          while (res.writable && res.write(chunk));
          if (res.writable) res.once('drain', write);
        };
        write();
        res.on('error', () => undefined);
      } else if (path === '/huge-declared') {
        res.writeHead(200, { 'content-length': String(30 * 1024 * 1024) });
        res.write('x');
      } else if (path === '/stall') {
        openResponses.add(res);
        res.writeHead(200, { 'content-type': 'text/html' });
        res.write('<html>');
      } else if (path === '/status/404') {
        res.writeHead(404).end('missing');
      } else if (path === '/status/503') {
        res.writeHead(503, { 'retry-after': '3' }).end();
      } else if (path === '/status/429') {
        res.writeHead(429, { 'retry-after': 'Thu, 01 Jan 2099 00:00:00 GMT' }).end();
      } else {
        res.writeHead(500).end();
      }
    });
  });

  afterAll(async () => {
    for (const res of openResponses) res.destroy();
    await client.close();
    site.server.closeAllConnections();
    other.server.closeAllConnections();
    await new Promise((resolve) => site.server.close(resolve));
    await new Promise((resolve) => other.server.close(resolve));
  });

  it('fetches an allow-listed loopback page with its headers', async () => {
    const response = await client.fetch(`${site.origin}/ok`, {
      headers: { authorization: 'Bearer t' },
    });
    expect(response.status).toBe(200);
    expect(response.contentType).toBe('text/html; charset=utf-8');
    expect(response.body.toString()).toBe('<p>hello</p>');
    expect(response.url).toBe(`${site.origin}/ok`);
  });

  it('refuses loopback without the allow list, by literal address and by a name resolving to it', async () => {
    const port = new URL(site.origin).port;
    // The server's port is allowed, so what refuses is the address rule.
    const strict = new SafeHttpClient({
      ...defaults,
      allowHosts: [],
      allowedPorts: [Number(port)],
    });
    try {
      const literal = await failure(strict.fetch(`${site.origin}/ok`));
      expect(literal.code).toBe('blocked-address');
      expect(literal.retryable).toBe(false);
      const named = await failure(strict.fetch(`http://localhost:${port}/ok`));
      expect(named.code).toBe('blocked-address');
      const shortForm = await failure(strict.fetch(`http://127.1:${port}/ok`));
      expect(shortForm.code).toBe('blocked-address');
      const mapped = await failure(strict.fetch(`http://[::ffff:127.0.0.1]:${port}/ok`));
      expect(mapped.code).toBe('blocked-address');
      const compatible = await failure(strict.fetch(`http://[::127.0.0.1]:${port}/ok`));
      expect(compatible.code).toBe('blocked-address');
      // What a client may see names the class only; the address stays in the message (logs).
      expect(named.message).toContain('127.0.0.1');
      expect(named.publicReason).toBe('address not allowed');
    } finally {
      await strict.close();
    }
  });

  it('SSRF policy, ports: refuses a port other than 80/443 unless FETCH_ALLOWED_PORTS names it or the host is allow-listed', async () => {
    const port = Number(new URL(site.origin).port);
    const byName = new SafeHttpClient({ ...defaults, allowHosts: ['site.invalid'] });
    const widened = new SafeHttpClient({
      ...defaults,
      allowHosts: ['localhost'],
      allowedPorts: [port],
    });
    try {
      seen.length = 0;
      // Not allow-listed: refused before any connection, whatever the name resolves to.
      const refused = await failure(byName.fetch(`http://localhost:${port}/ok`));
      expect(refused).toMatchObject({ code: 'blocked-port', retryable: false });
      expect(refused.publicReason).toBe('port not allowed');
      expect((await failure(byName.fetch('http://news.invalid:6379/'))).code).toBe('blocked-port');
      expect(seen).toHaveLength(0);
      expect((await widened.fetch(`http://localhost:${port}/ok`)).status).toBe(200);
      // The literal loopback address inside the allow-listed CIDR keeps any port.
      expect((await client.fetch(`${site.origin}/ok`)).status).toBe(200);
    } finally {
      await byName.close();
      await widened.close();
    }
  });

  it('SSRF policy, trusted origin: a private origin is fetched only on its exact scheme, host and port', async () => {
    const strict = new SafeHttpClient({ ...defaults, allowHosts: [] });
    const trusted = { trustedOrigins: [site.origin] };
    try {
      seen.length = 0;
      const response = await strict.fetch(`${site.origin}/ok`, {
        ...trusted,
        headers: { authorization: 'Basic key' },
      });
      expect(response.body.toString()).toBe('<p>hello</p>');
      expect(seen[0].headers.authorization).toBe('Basic key');
      // Same host, another port: not trusted, refused before connecting.
      seen.length = 0;
      expect((await failure(strict.fetch(`${other.origin}/landing`, trusted))).code).toBe(
        'blocked-port',
      );
      // A redirect from the trusted origin to another origin is judged by the ordinary rules.
      const redirected = await failure(strict.fetch(`${site.origin}/to-other`, trusted));
      expect(redirected.code).toBe('blocked-port');
      const portsOpen = await failure(
        strict.fetch(`${site.origin}/to-other`, {
          ...trusted,
          allowedPorts: [Number(new URL(other.origin).port)],
        }),
      );
      expect(portsOpen.code).toBe('blocked-address');
      expect(seen.map((request) => request.url)).toEqual(['/to-other', '/to-other']);
      // Without the trusted origin the same URL is refused.
      expect((await failure(strict.fetch(`${site.origin}/ok`))).code).toBe('blocked-port');
    } finally {
      await strict.close();
    }
  });

  it('allows a host name on the allow list', async () => {
    const byName = new SafeHttpClient({ ...defaults, allowHosts: ['localhost'] });
    try {
      const port = new URL(site.origin).port;
      const response = await byName.fetch(`http://localhost:${port}/ok`);
      expect(response.body.toString()).toBe('<p>hello</p>');
    } finally {
      await byName.close();
    }
  });

  it.each(['file:///etc/passwd', 'ftp://127.0.0.1/x', 'javascript:alert(1)', 'data:text/html,hi'])(
    'refuses the scheme of %s',
    async (url) => {
      expect((await failure(client.fetch(url))).code).toBe('bad-scheme');
    },
  );

  it('refuses a malformed URL', async () => {
    expect((await failure(client.fetch('http://'))).code).toBe('bad-url');
  });

  it('follows a redirect chain and reports the final URL', async () => {
    const response = await client.fetch(`${site.origin}/chain/3`);
    expect(response.body.toString()).toBe('end of chain');
    expect(response.url).toBe(`${site.origin}/chain/0`);
  });

  it('stops a chain longer than maxRedirects', async () => {
    const error = await failure(client.fetch(`${site.origin}/chain/4`));
    expect(error.code).toBe('too-many-redirects');
  });

  it('re-checks every hop: a redirect to the metadata address is refused even with loopback allowed', async () => {
    const error = await failure(client.fetch(`${site.origin}/to-metadata`));
    expect(error.code).toBe('blocked-address');
    expect(error.url).toBe('http://169.254.169.254/latest/meta-data/');
  });

  it('refuses a redirect to a file: URL', async () => {
    expect((await failure(client.fetch(`${site.origin}/to-file`))).code).toBe('bad-scheme');
  });

  it('drops caller headers on a cross-origin redirect', async () => {
    seen.length = 0;
    const response = await client.fetch(`${site.origin}/to-other`, {
      headers: { authorization: 'Bearer secret' },
      userAgent: 'test-agent',
    });
    expect(response.body.toString()).toBe('other origin');
    expect(seen[0].headers.authorization).toBe('Bearer secret');
    expect(seen[1].headers.authorization).toBeUndefined();
    expect(seen[1].headers['user-agent']).toBe('test-agent');
  });

  it('caps a streamed body', async () => {
    const error = await failure(client.fetch(`${site.origin}/huge`));
    expect(error.code).toBe('too-large');
    expect(error.retryable).toBe(false);
  });

  it('refuses a declared length over the cap before reading', async () => {
    expect((await failure(client.fetch(`${site.origin}/huge-declared`))).code).toBe('too-large');
  });

  it('times out a server that stalls after the headers', async () => {
    const started = Date.now();
    const error = await failure(client.fetch(`${site.origin}/stall`, { totalTimeoutMs: 400 }));
    expect(error.code).toBe('timeout');
    expect(error.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('reports 404 as a permanent http-status failure', async () => {
    const error = await failure(client.fetch(`${site.origin}/status/404`));
    expect(error).toMatchObject({ code: 'http-status', status: 404, retryable: false });
  });

  it('reports 503 and 429 as retryable with Retry-After', async () => {
    const unavailable = await failure(client.fetch(`${site.origin}/status/503`));
    expect(unavailable).toMatchObject({
      code: 'http-status',
      status: 503,
      retryable: true,
      retryAfterMs: 3000,
    });
    const limited = await failure(client.fetch(`${site.origin}/status/429`));
    expect(limited).toMatchObject({ code: 'http-status', status: 429, retryable: true });
    expect(limited.retryAfterMs).toBeGreaterThan(0);
  });

  it('reports a refused connection as a retryable network error', async () => {
    const closed = await startServer(() => undefined);
    const origin = closed.origin;
    await new Promise((resolve) => closed.server.close(resolve));
    const error = await failure(client.fetch(`${origin}/`));
    expect(error).toMatchObject({ code: 'network', retryable: true });
  });
});
