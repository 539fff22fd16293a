import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Resource {
  status: number;
  contentType: string;
  body: Buffer | string;
}

/** Path of the reference article on healthcareitnews.com, served here under the loopback origin. */
export const REFERENCE_ARTICLE_PATH = '/news/emea/nhsx-sets-out-digital-guidance-nhs-trusts';
export const REFERENCE_OG_IMAGE_PATH =
  '/sites/hitn/files/Resized%20-%20GettyImages-1002020774%20%281%29_0.jpg';
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

/**
 * The healthcareitnews article page with exactly the `<meta>` tags the reference document lists
 * in `htmlMetaData`, `openGraphMetaData` and `twitterMetaData`; absolute URLs use `origin`.
 */
export function referenceArticleHtml(origin: string): string {
  const articleUrl = `${origin}${REFERENCE_ARTICLE_PATH}`;
  const imageUrl = `${origin}${REFERENCE_OG_IMAGE_PATH}`;
  const description = 'The new framework calls for new ways of delivering care.';
  const title = 'NHSX sets out digital guidance for NHS trusts';
  const meta: Array<[string, string, string]> = [
    ['name', 'description', description],
    ['name', 'generator', 'Drupal 7 (http://drupal.org)'],
    ['name', 'viewport', 'width=device-width, initial-scale=1.0'],
    ['property', 'article:modified_time', '2021-08-31T10:44:37-04:00'],
    ['property', 'article:published_time', '2021-08-31T10:44:14-04:00'],
    ['name', 'msvalidate.01', 'E23E222F362070D7E155C1DCE851E7E9'],
    ['property', 'og:description', description],
    ['property', 'og:image', imageUrl],
    ['property', 'og:site_name', 'Healthcare IT News'],
    ['property', 'og:title', title],
    ['property', 'og:type', 'article'],
    ['property', 'og:updated_time', '2021-08-31T10:44:37-04:00'],
    ['property', 'og:url', articleUrl],
    ['name', 'twitter:card', 'summary_large_image'],
    ['name', 'twitter:description', description],
    ['name', 'twitter:title', title],
    ['name', 'twitter:image', imageUrl],
    ['name', 'twitter:url', articleUrl],
    ['name', 'yandex-verification', '4b898aad0783a623'],
  ];
  const tags = meta.map(([kind, key, value]) => `<meta ${kind}="${key}" content="${value}" />`);
  return `<!doctype html>
<html lang="en" dir="ltr">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
${tags.join('\n')}
<link rel="canonical" href="${articleUrl}" />
<title>${title} | Healthcare IT News</title>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"${title}","author":[{"@type":"Person","name":"Radhika Narayanan"}],"datePublished":"2021-08-31T10:44:14-04:00"}</script>
</head>
<body>
<header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>
<main><article>
<h1>${title}</h1>
<div class="byline">By <a rel="author" href="/authors/radhika">Radhika Narayanan</a></div>
<p>NHSX has published new digital guidelines for NHS leaders and organisations.</p>
<p>The <a href="https://www.nhsx.nhs.uk/digitise-connect-transform/">‘What Good Looks Like’ framework</a> aims to give NHS managers clear instructions on using digital in their service.</p>
<p>It calls for patients to be able to digitally access their care plans and test results.</p>
</article></main>
</body>
</html>`;
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
