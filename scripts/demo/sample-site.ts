import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

/** A small bundled news site on loopback, with a few deliberately broken pages. */
export interface SampleArticle {
  slug: string;
  title: string;
  topic: string;
  paragraphs: string[];
}

export const SAMPLE_ARTICLES: SampleArticle[] = [
  [
    'remote-monitoring-cuts-readmissions',
    'Remote monitoring cuts heart-failure readmissions',
    'HIMSS: Digital Health',
  ],
  [
    'ai-triage-in-emergency-departments',
    'AI triage arrives in emergency departments',
    'HIMSS: Artificial Intelligence',
  ],
  [
    'interoperability-rules-take-effect',
    'New interoperability rules take effect',
    'HIMSS: Interoperability',
  ],
  ['virtual-wards-scale-up', 'Virtual wards scale up across regions', 'HIMSS: Digital Health'],
  [
    'patient-portals-get-simpler',
    'Patient portals get simpler to use',
    'HIMSS: Patient Engagement',
  ],
  [
    'cybersecurity-drills-for-hospitals',
    'Hospitals run cybersecurity drills',
    'HIMSS: Cybersecurity',
  ],
  [
    'e-prescribing-reaches-rural-clinics',
    'E-prescribing reaches rural clinics',
    'HIMSS: Digital Health',
  ],
  ['wearables-in-clinical-trials', 'Wearables join clinical trials', 'HIMSS: Digital Health'],
].map(([slug, title, topic], index) => ({
  slug,
  title,
  topic,
  paragraphs: [
    `${title}: a sample article bundled with the curation pipeline's demo (number ${index + 1}).`,
    'Clinicians describe how the change affects daily work, what it costs and what patients notice first.',
    'The pilot ran for six months; the organisers plan to publish their full evaluation next year.',
  ],
}));

/** Pages that fail on purpose, each for a different reason. */
export const BROKEN_PATHS = {
  missing: '/news/this-page-does-not-exist',
  pdf: '/files/annual-report.pdf',
  metadataRedirect: '/news/redirects-to-cloud-metadata',
  brokenImage: '/news/article-with-a-broken-image',
};

function articlePage(origin: string, article: SampleArticle, imagePath: string): string {
  const url = `${origin}/news/${article.slug}`;
  const jsonLd = {
    '@context': 'https://schema.org',
    '@type': 'NewsArticle',
    headline: article.title,
    author: { '@type': 'Person', name: 'Demo Reporter' },
    datePublished: '2026-11-01T09:00:00Z',
  };
  return `<!doctype html><html><head><meta charset="utf-8"><title>${article.title} | Sample Health News</title>
<meta name="description" content="${article.paragraphs[0]}">
<meta property="og:title" content="${article.title}"><meta property="og:type" content="article">
<meta property="og:url" content="${url}"><meta property="og:image" content="${origin}${imagePath}">
<meta property="og:site_name" content="Sample Health News"><meta name="twitter:card" content="summary_large_image">
<link rel="canonical" href="${url}"><script type="application/ld+json">${JSON.stringify(jsonLd)}</script></head>
<body><header>Sample Health News</header><article><h1>${article.title}</h1>
${article.paragraphs.map((paragraph) => `<p>${paragraph}</p>`).join('\n')}</article><footer>© demo</footer></body></html>`;
}

async function photo(seed: number): Promise<Buffer> {
  const width = 1600;
  const height = 1066;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * 3;
      pixels[offset] = (x * 255) / width + seed * 29;
      pixels[offset + 1] = (y * 255) / height;
      pixels[offset + 2] = ((x + y + seed * 40) % 255) ^ ((x * y) & 31);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

export async function startSampleSite(): Promise<{ origin: string; server: Server }> {
  const photos = await Promise.all(SAMPLE_ARTICLES.map((_, index) => photo(index)));
  const server = createServer((request, response) => {
    const origin = `http://${request.headers.host}`;
    const path = request.url ?? '/';
    const article = SAMPLE_ARTICLES.find((each) => path === `/news/${each.slug}`);
    if (article) {
      const index = SAMPLE_ARTICLES.indexOf(article);
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(articlePage(origin, article, `/images/${index}.jpg`));
    } else if (/^\/images\/\d+\.jpg$/.test(path)) {
      response.writeHead(200, { 'content-type': 'image/jpeg' });
      response.end(photos[Number(path.match(/\d+/)![0])]);
    } else if (path === BROKEN_PATHS.pdf) {
      response.writeHead(200, { 'content-type': 'application/pdf' });
      response.end('%PDF-1.4\n%demo\n');
    } else if (path === BROKEN_PATHS.metadataRedirect) {
      response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      response.end();
    } else if (path === BROKEN_PATHS.brokenImage) {
      const broken = {
        ...SAMPLE_ARTICLES[0],
        slug: 'article-with-a-broken-image',
        title: 'An article whose image is not an image',
      };
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(articlePage(origin, broken, '/images/not-really.jpg'));
    } else if (path === '/images/not-really.jpg') {
      response.writeHead(200, { 'content-type': 'image/jpeg' });
      response.end('<html>this is not a JPEG</html>');
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
