import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Resource {
  status: number;
  contentType: string;
  body: Buffer | string;
}

/** Path of the reference article on healthcareitnews.com, served here under the loopback origin. */
export const REFERENCE_ARTICLE_PATH = '/news/emea/nhsx-sets-out-digital-guidance-nhs-trusts';
export const REFERENCE_ORIGIN = 'https://www.healthcareitnews.com';

/**
 * A stand-in source site on 127.0.0.1: article pages and images by path; anything not added
 * answers 404. Counts requests per path, so tests can tell what the pipeline fetched.
 */
export class SourceSite {
  private readonly resources = new Map<string, Resource>();
  readonly hits = new Map<string, number>();
  private server?: Server;
  private url?: string;

  get origin(): string {
    if (!this.url) throw new Error('source site not started');
    return this.url;
  }

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
      const resource = this.resources.get(path);
      if (!resource) {
        response.writeHead(404, { 'content-type': 'text/html' });
        return void response.end('<html><body><h1>Not found</h1></body></html>');
      }
      response.writeHead(resource.status, {
        'content-type': resource.contentType,
        'content-length': Buffer.byteLength(resource.body),
      });
      response.end(resource.body);
    });
    // Services keep connections alive; a restarted test must not wait for them.
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  page(path: string, html: string): string {
    this.resources.set(path, { status: 200, contentType: 'text/html; charset=utf-8', body: html });
    return `${this.origin}${path}`;
  }

  image(path: string, jpeg: Buffer): string {
    this.resources.set(path, { status: 200, contentType: 'image/jpeg', body: jpeg });
    return `${this.origin}${path}`;
  }
}

/** A plain article page whose og:image points at `imageUrl`. */
export function articleHtml(title: string, imageUrl: string, paragraphs = 4): string {
  const body = Array.from(
    { length: paragraphs },
    (_, index) =>
      `<p>Paragraph ${index + 1} of “${title}”: hospital trusts describe remote monitoring, digital care plans and electronic prescribing in practice, with figures from the first year.</p>`,
  ).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} | Loopback News</title>
<meta name="description" content="${title}, as told by the people who run it.">
<meta property="og:title" content="${title}"><meta property="og:type" content="article">
<meta property="og:site_name" content="Loopback News"><meta property="og:image" content="${imageUrl}">
</head><body><nav><a href="/">Home</a></nav><article><h1>${title}</h1>${body}</article></body></html>`;
}
