/**
 * Metadata extraction: our one-pass htmlparser2 extractor against metascraper (author, date,
 * description, image, title, url, publisher rules) on a deterministic corpus of generated pages
 * (different meta sets, JSON-LD shapes, charsets, 5–80 KB). Each extractor runs in its own child
 * process so its peak memory is its own; the field check scores both against the generator's truth.
 * The service runs the extraction on a worker-thread pool: the same pages through that pool (the
 * built worker: `npm run build` first) give the pool's overhead per page.
 * The byline and boilerplate corpus of the unit tests (`services/enrichment/src/utils/__corpus__`)
 * is scored too: fields right out of fields, ours beside metascraper's.
 *
 *   npx tsx bench/extraction.bench.ts [--pages=240]
 */
/* eslint-disable @typescript-eslint/no-restricted-imports -- a benchmark drives the service's own code, as no other service may */
import { fork } from 'node:child_process';
import iconv from 'iconv-lite';
import {
  PageExtractionRepository,
  type PageExtractionSettings,
} from '../services/enrichment/src/repositories/page-extraction.repository';
import { decodeHtml } from '../services/enrichment/src/utils/html-decoder';
import {
  extractMetadata,
  pageTitle,
  type ExtractedMetadata,
} from '../services/enrichment/src/utils/metadata-extractor';
import {
  BOILERPLATE_CASES,
  BYLINE_CASES,
  CORPUS_PAGE_URL,
  boilerplatePage,
  bylinePage,
} from '../services/enrichment/src/utils/__corpus__/extraction-corpus';
import { extractPageInline } from '../services/enrichment/src/utils/page-extraction';
import {
  extractReadableArticle,
  paragraphsOf,
} from '../services/enrichment/src/utils/readable-body';
import { seededRandom } from '../test/support/seeded-random';

const FIELDS = [
  'title',
  'description',
  'author',
  'datePublished',
  'dateModified',
  'image',
  'url',
  'publisher',
] as const;
type Field = (typeof FIELDS)[number];
type Fields = Partial<Record<Field, string>>;

interface Page {
  url: string;
  contentType: string;
  body: Buffer;
  truth: Fields;
}

type Phase = 'ours' | 'metascraper' | 'ours-with-body' | 'ours-pool' | 'ours-pool-with-body';

/** The service's defaults, one thread: the pool's cost per page, not a parallel speed-up. */
const POOL_SETTINGS: PageExtractionSettings = {
  EXTRACTION_TIMEOUT_MS: 5000,
  EXTRACTION_THREADS: 1,
  EXTRACTION_MAX_ELEMENTS: 10_000,
  EXTRACTION_MAX_DEPTH: 100,
  EXTRACTION_MAX_MEMORY_MB: 256,
  BODY_MAX_BYTES: 200 * 1024,
};

interface PhaseResult {
  phase: Phase;
  pages: number;
  seconds: number;
  peakRssMb: number;
  baselineRssMb: number;
  fields: Fields[];
}

// ---------------------------------------------------------------- corpus

const WORDS =
  'health digital care trust patient data platform remote monitoring hospital clinical records policy guidance framework network nurse doctor funding cloud privacy security research trial genomics pharmacy insurance analytics telehealth wellness outcome'.split(
    ' ',
  );
const ACCENTED = ['café', 'naïve', 'Zürich', 'São Paulo', 'résumé', 'Gdańsk'];
const PEOPLE = [
  'Radhika Narayanan',
  'Jonah Weiss',
  'Amara Okafor',
  'Li Wei',
  'Sofia Marquez',
  'Pieter de Vries',
  'Renée Dupré',
];
const SITES = [
  'healthcareitnews.com',
  'medtech-daily.example.org',
  'news.hospital.example.co.uk',
  'blog.caredata.example.net',
];

function corpus(count: number): Page[] {
  return Array.from({ length: count }, (_, index) => generatePage(index));
}

function generatePage(index: number): Page {
  const rng = seededRandom(0x5eed + index * 7919);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rng() * list.length)];
  const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const profile = index % 6;
  const charset =
    index % 10 === 7
      ? 'windows-1252'
      : index % 10 === 8
        ? 'iso-8859-1'
        : index % 10 === 9
          ? 'shift_jis'
          : 'utf-8';
  const site = SITES[index % SITES.length];
  const origin = `https://www.${site}`;
  const path = `/news/${index}/${words(3).replace(/ /g, '-')}`;
  const url = `${origin}${path}`;
  const siteName = `${site.split('.')[0].replace(/-/g, ' ')} News`;
  const opening = words(6);
  let title = `${opening[0].toUpperCase()}${opening.slice(1)} ${index}`;
  if (charset === 'windows-1252' || charset === 'iso-8859-1')
    title += ` ${pick(ACCENTED)} ‘quoted’`;
  if (charset === 'shift_jis') title += ' 医療データ';
  if (index % 5 === 0) title += ' & more';
  const description = `${words(14)}.`;
  const author = pick(PEOPLE);
  const coAuthor = pick(PEOPLE.filter((person) => person !== author));
  const published = new Date(
    Date.UTC(2020, index % 12, 1 + (index % 27), 8, index % 60),
  ).toISOString();
  const modified = new Date(Date.parse(published) + 3_600_000 * (1 + (index % 48))).toISOString();
  const imagePath = `/sites/files/img-${index}%20(1).jpg`;
  const image = `${origin}${imagePath}`;
  const esc = (text: string) =>
    text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const head: string[] = [
    `<meta charset="${charset}">`,
    '<meta name="viewport" content="width=device-width">',
  ];
  const body: string[] = [];
  const truth: Fields = { title, url };

  switch (profile) {
    case 0: // everything: Open Graph, Twitter, meta, one JSON-LD NewsArticle
      head.push(
        `<title>${esc(title)} | ${esc(siteName)}</title>`,
        `<meta name="description" content="${esc(description)}">`,
        `<meta property="og:title" content="${esc(title)}">`,
        `<meta property="og:description" content="${esc(description)}">`,
        `<meta property="og:image" content="${image}">`,
        `<meta property="og:site_name" content="${esc(siteName)}">`,
        `<meta property="og:url" content="${url}">`,
        `<meta property="og:type" content="article">`,
        `<meta property="article:published_time" content="${published}">`,
        `<meta property="article:modified_time" content="${modified}">`,
        `<meta name="twitter:card" content="summary_large_image">`,
        `<meta name="twitter:title" content="${esc(title)}">`,
        `<meta name="twitter:image" content="${image}">`,
        `<script type="application/ld+json">${jsonLd({ '@context': 'https://schema.org', '@type': 'NewsArticle', headline: title, author: { '@type': 'Person', name: author }, datePublished: published, dateModified: modified, image: { '@type': 'ImageObject', url: image }, publisher: { '@type': 'Organization', name: siteName } })}</script>`,
      );
      Object.assign(truth, {
        description,
        author,
        datePublished: published,
        dateModified: modified,
        image,
        publisher: siteName,
      });
      break;
    case 1: // JSON-LD @graph only
      head.push(
        `<title>${esc(title)}</title>`,
        `<script type="application/ld+json">${jsonLd({
          '@context': 'https://schema.org',
          '@graph': [
            { '@type': 'WebSite', name: siteName, url: origin },
            {
              '@type': ['Article'],
              headline: title,
              description,
              author: [{ '@type': 'Person', name: author }],
              datePublished: published,
              image: [image],
              publisher: { '@type': 'Organization', name: siteName },
            },
          ],
        })}</script>`,
      );
      Object.assign(truth, {
        description,
        author,
        datePublished: published,
        image,
        publisher: siteName,
      });
      break;
    case 2: // classic meta tags, relative og:image, canonical link
      head.push(
        `<title>${esc(title)}</title>`,
        `<meta name="description" content="${esc(description)}">`,
        `<meta name="author" content="${esc(author)}">`,
        `<meta property="article:published_time" content="${published}">`,
        `<meta property="og:image" content="${imagePath}">`,
        `<link rel="canonical" href="${path}">`,
      );
      Object.assign(truth, { description, author, datePublished: published, image });
      break;
    case 3: // Twitter card, microdata author and date, protocol-relative image
      head.push(
        `<title>${esc(title)} - ${esc(siteName)}</title>`,
        `<meta name="twitter:card" content="summary">`,
        `<meta name="twitter:title" content="${esc(title)}">`,
        `<meta name="twitter:description" content="${esc(description)}">`,
        `<meta name="twitter:image" content="//www.${site}${imagePath}">`,
        `<meta name="application-name" content="${esc(siteName)}">`,
      );
      body.push(
        `<div class="meta">By <span itemprop="author" itemscope itemtype="https://schema.org/Person"><span itemprop="name">${esc(author)}</span></span>`,
        `<time itemprop="datePublished" datetime="${published}">${published.slice(0, 10)}</time></div>`,
      );
      Object.assign(truth, {
        description,
        author,
        datePublished: published,
        image,
        publisher: siteName,
      });
      break;
    case 4: // bare: <title>, rel=author, relative canonical
      head.push(
        `<title>${esc(title)}</title>`,
        `<link rel="canonical" href="${path}?ref=canonical">`,
      );
      body.push(
        `<p class="credit">Written by <a rel="author" href="/people/${index}">${esc(author)}</a></p>`,
      );
      Object.assign(truth, { author, url: `${url}?ref=canonical` });
      break;
    default: // Open Graph + a broken JSON-LD block + a JSON-LD array with several authors
      head.push(
        `<title>${esc(title)} | ${esc(siteName)}</title>`,
        `<meta property="og:title" content="${esc(title)}">`,
        `<meta property="og:description" content="${esc(description)}">`,
        `<meta property="og:site_name" content="${esc(siteName)}">`,
        `<meta property="og:updated_time" content="${modified}">`,
        `<script type="application/ld+json">{ "@type": "NewsArticle", "headline": broken, }</script>`,
        `<script type="application/ld+json">${jsonLd([{ '@type': 'BreadcrumbList' }, { '@type': 'BlogPosting', headline: title, author: [author, coAuthor], datePublished: published, dateModified: modified, image: { url: imagePath }, publisher: siteName }])}</script>`,
      );
      body.push(`<div class="byline">By ${esc(author)} and ${esc(coAuthor)}</div>`);
      Object.assign(truth, {
        description,
        author,
        datePublished: published,
        dateModified: modified,
        image,
        publisher: siteName,
      });
  }

  const target = 5 * 1024 + Math.floor(rng() * 75 * 1024);
  const filler: string[] = [
    `<header><nav>${Array.from({ length: 12 }, (_, n) => `<a href="/section/${n}">${words(1)}</a>`).join(' ')}</nav></header>`,
    `<main><article><h1>${esc(title)}</h1>`,
    ...body,
  ];
  let size = filler.join('').length;
  while (size < target) {
    const chunk =
      rng() < 0.15
        ? `<script>window.__data_${size} = ${JSON.stringify({ words: words(20).split(' ') })};</script>`
        : `<p>${words(40 + Math.floor(rng() * 40))}. <a href="/related/${size}">${words(3)}</a> ${words(20)}.</p>`;
    filler.push(chunk);
    size += chunk.length;
  }
  filler.push('</article></main><footer><p>© Example Media</p></footer>');
  const html = `<!DOCTYPE html><html lang="en"><head>${head.join('\n')}</head><body>${filler.join('\n')}</body></html>`;
  const encoding = charset === 'iso-8859-1' ? 'windows-1252' : charset;
  return {
    url,
    contentType: index % 3 === 0 ? `text/html; charset=${charset}` : 'text/html',
    body:
      encoding === 'utf-8'
        ? Buffer.from(html)
        : iconv.encode(withCharacterReferences(html, encoding), encoding),
    truth,
  };
}

/** What a CMS does for characters its charset lacks: numeric character references. */
function withCharacterReferences(html: string, encoding: string): string {
  return html.replace(/[^\u0020-\u007e\s]/gu, (char) =>
    iconv.decode(iconv.encode(char, encoding), encoding) === char
      ? char
      : `&#${char.codePointAt(0)};`,
  );
}

/** JSON-LD is raw script text (no character references): escape non-ASCII the JSON way. */
function jsonLd(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

// ---------------------------------------------------------------- extractors

function ours(page: Page): Fields {
  const decoded = decodeHtml(page.body, page.contentType);
  if (!decoded.ok) return {};
  return fieldsOf(extractMetadata(decoded.html, page.url), page);
}

function fieldsOf(meta: ExtractedMetadata, page: Page): Fields {
  return {
    title: pageTitle(meta),
    description: meta.description,
    author: meta.authors[0],
    datePublished: meta.publishedAt,
    dateModified: meta.modifiedAt,
    image: meta.imageCandidates[0]?.url,
    url: meta.canonicalUrl ?? page.url,
    publisher: meta.publisher,
  };
}

/** As the service does: decode on the main thread, extract on the pool. */
async function throughPool(
  pool: PageExtractionRepository,
  page: Page,
  body: boolean,
): Promise<Fields> {
  const decoded = decodeHtml(page.body, page.contentType);
  if (!decoded.ok) return {};
  const result = await pool.extract(decoded.html, page.url, { body });
  if (result.kind !== 'extracted') throw new Error(`${page.url}: ${result.kind}`);
  return fieldsOf(result.metadata, page);
}

function oursWithBody(page: Page): Fields {
  const fields = ours(page);
  const decoded = decodeHtml(page.body, page.contentType);
  if (decoded.ok) extractReadableArticle(decoded.html, page.url, 200 * 1024);
  return fields;
}

type Scraper = (options: { html: string; url: string }) => Promise<Record<string, unknown>>;

function loadMetascraper(): Scraper {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const create = require('metascraper') as (rules: unknown[]) => Scraper;
  return create([
    require('metascraper-author')(),
    require('metascraper-date')({ datePublished: true, dateModified: true }),
    require('metascraper-description')(),
    require('metascraper-image')(),
    require('metascraper-publisher')(),
    require('metascraper-title')(),
    require('metascraper-url')(),
  ]);
  /* eslint-enable @typescript-eslint/no-require-imports */
}

function asText(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value : undefined;
}

// ---------------------------------------------------------------- byline and boilerplate corpus

interface CorpusScore {
  label: string;
  ours: number;
  theirs: number | undefined;
  baseline?: number;
  total: number;
  /** Cases metascraper gets right and we get wrong. */
  losses: string[];
}

const sameName = (a: string | undefined, b: string | undefined) =>
  (a ?? '').normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase() ===
  (b ?? '').normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase();

/** As enrichment does: the page's declared and byline authors, else the readable body's byline. */
function corpusAuthors(html: string): string[] {
  const { metadata, body } = extractPageInline(html, CORPUS_PAGE_URL, {
    body: true,
    budget: { maxDepth: 100, maxElements: 10_000, bodyMaxBytes: 200 * 1024 },
  });
  return metadata.authors.length > 0 ? metadata.authors : (body?.bylineAuthors ?? []);
}

async function scoreCorpus(): Promise<CorpusScore[]> {
  const scrape = loadMetascraper();
  const first: CorpusScore = {
    label: 'author (first name)',
    ours: 0,
    theirs: 0,
    total: 0,
    losses: [],
  };
  const all: CorpusScore = {
    label: 'authors (every name)',
    ours: 0,
    theirs: 0,
    total: 0,
    losses: [],
  };
  for (const testCase of BYLINE_CASES) {
    const html = bylinePage(testCase);
    const ours = corpusAuthors(html);
    const theirs = asText((await scrape({ html, url: CORPUS_PAGE_URL })).author);
    const expected = testCase.authors;
    first.total++;
    all.total++;
    const oursFirst = sameName(ours[0], expected[0]);
    const theirsFirst = sameName(theirs, expected[0]);
    if (oursFirst) first.ours++;
    if (theirsFirst) first.theirs!++;
    if (theirsFirst && !oursFirst) first.losses.push(testCase.name);
    // metascraper gives one string: right for every name only when there is one name (or none).
    const oursAll =
      ours.length === expected.length &&
      ours.every((name, index) => sameName(name, expected[index]));
    const theirsAll = expected.length <= 1 && sameName(theirs, expected[0]);
    if (oursAll) all.ours++;
    if (theirsAll) all.theirs!++;
    if (theirsAll && !oursAll) all.losses.push(testCase.name);
  }
  const furniture: CorpusScore = {
    label: 'body: article kept + furniture dropped',
    ours: 0,
    theirs: undefined,
    baseline: 0,
    total: 0,
    losses: [],
  };
  for (const testCase of BOILERPLATE_CASES) {
    const html = boilerplatePage(testCase);
    const text = (mode: 'remove' | 'keep') =>
      paragraphsOf(extractReadableArticle(html, CORPUS_PAGE_URL, 200 * 1024, 0, mode).html).join(
        '\n',
      );
    const ours = text('remove');
    const readabilityAlone = text('keep');
    const right = (body: string) =>
      testCase.keep.filter((kept) => body.includes(kept)).length +
      testCase.drop.filter((dropped) => !body.includes(dropped)).length;
    furniture.ours += right(ours);
    furniture.baseline! += right(readabilityAlone);
    furniture.total += testCase.keep.length + testCase.drop.length;
  }
  return [first, all, furniture];
}

// ---------------------------------------------------------------- phases (child processes)

const rssMb = () => process.memoryUsage.rss() / 1024 / 1024;

async function runPhase(phase: Phase, pageCount: number): Promise<PhaseResult> {
  const pages = corpus(pageCount);
  const decodedForMetascraper =
    phase === 'metascraper'
      ? pages.map((page) => {
          const decoded = decodeHtml(page.body, page.contentType);
          return decoded.ok ? decoded.html : '';
        })
      : [];
  const scrape = phase === 'metascraper' ? loadMetascraper() : undefined;
  const pool = phase.startsWith('ours-pool')
    ? new PageExtractionRepository(POOL_SETTINGS)
    : undefined;
  await pool?.onModuleInit();
  const extractOne = async (index: number): Promise<Fields> => {
    if (pool) return throughPool(pool, pages[index], phase === 'ours-pool-with-body');
    if (!scrape) return phase === 'ours' ? ours(pages[index]) : oursWithBody(pages[index]);
    const result = await scrape({ html: decodedForMetascraper[index], url: pages[index].url });
    return Object.fromEntries(FIELDS.map((field) => [field, asText(result[field])])) as Fields;
  };
  for (let index = 0; index < Math.min(20, pages.length); index++) await extractOne(index);
  global.gc?.();
  const baselineRssMb = rssMb();
  let peak = baselineRssMb;
  // metascraper is slow enough for one pass; ours repeats the corpus for a stable figure.
  const passes = phase === 'ours' || phase === 'ours-pool' ? 5 : 1;
  const fields: Fields[] = [];
  const started = process.hrtime.bigint();
  for (let pass = 0; pass < passes; pass++) {
    for (let index = 0; index < pages.length; index++) {
      const result = await extractOne(index);
      if (pass === 0) fields.push(result);
      if (index % 10 === 0) peak = Math.max(peak, rssMb());
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await pool?.onApplicationShutdown();
  peak = Math.max(peak, rssMb(), process.resourceUsage().maxRSS / 1024);
  return { phase, pages: pages.length * passes, seconds, peakRssMb: peak, baselineRssMb, fields };
}

function runChild(phase: Phase, pageCount: number): Promise<PhaseResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--phase', phase, `--pages=${pageCount}`], {
      stdio: 'inherit',
    });
    child.once('message', (message) => resolve(message as PhaseResult));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`${phase} phase exited with ${code}`));
    });
  });
}

// ---------------------------------------------------------------- scoring

function normalise(field: Field, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (field === 'datePublished' || field === 'dateModified') {
    const time = Date.parse(value);
    return Number.isNaN(time) ? value : new Date(Math.floor(time / 1000) * 1000).toISOString();
  }
  if (field === 'url' || field === 'image') {
    try {
      return new URL(decodeURI(value)).href;
    } catch {
      return value;
    }
  }
  return value.normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase();
}

interface FieldScore {
  field: Field;
  scored: number;
  ours: number;
  metascraper: number;
  agree: number;
  metascraperOnly: number;
}

function score(pages: Page[], oursFields: Fields[], theirs: Fields[]): FieldScore[] {
  return FIELDS.map((field) => {
    const row: FieldScore = {
      field,
      scored: 0,
      ours: 0,
      metascraper: 0,
      agree: 0,
      metascraperOnly: 0,
    };
    pages.forEach((page, index) => {
      const truth = normalise(field, page.truth[field]);
      const a = normalise(field, oursFields[index][field]);
      const b = normalise(field, theirs[index][field]);
      if (a === b) row.agree++;
      if (truth === undefined) return;
      row.scored++;
      if (a === truth) row.ours++;
      if (b === truth) row.metascraper++;
      if (b === truth && a !== truth) row.metascraperOnly++;
    });
    return row;
  });
}

function table(rows: Array<Array<string | number>>): string {
  const widths = rows[0].map((_, column) =>
    Math.max(...rows.map((row) => String(row[column]).length)),
  );
  return rows
    .map((row) => row.map((cell, column) => String(cell).padEnd(widths[column])).join('  '))
    .join('\n');
}

async function main(): Promise<number> {
  const pageCount = Number(/--pages=(\d+)/.exec(process.argv.join(' '))?.[1] ?? 240);
  const phaseIndex = process.argv.indexOf('--phase');
  if (phaseIndex > 0) {
    const result = await runPhase(process.argv[phaseIndex + 1] as Phase, pageCount);
    await new Promise<void>((resolve) => process.send!(result, () => resolve()));
    return 0;
  }

  const pages = corpus(pageCount);
  const sizes = pages.map((page) => page.body.length / 1024);
  console.log(
    `corpus: ${pages.length} pages, ${Math.min(...sizes).toFixed(1)}–${Math.max(...sizes).toFixed(1)} KB ` +
      `(mean ${(sizes.reduce((a, b) => a + b, 0) / sizes.length).toFixed(1)} KB), 6 meta/JSON-LD profiles, ` +
      `charsets utf-8/windows-1252/iso-8859-1/shift_jis`,
  );
  const metascraper = await runChild('metascraper', pageCount);
  const mine = await runChild('ours', pageCount);
  const withBody = await runChild('ours-with-body', pageCount);
  const pooled = await runChild('ours-pool', pageCount);
  const pooledWithBody = await runChild('ours-pool-with-body', pageCount);
  const rate = (result: PhaseResult) => result.pages / result.seconds;
  const baseline = rate(metascraper);
  const labels: Record<Phase, string> = {
    metascraper: 'metascraper 5 (7 rule sets)',
    ours: 'ours (htmlparser2 SAX), inline',
    'ours-with-body': 'ours + readable body (linkedom), inline',
    'ours-pool': 'ours on the worker pool (as the service runs it)',
    'ours-pool-with-body': 'ours + readable body on the worker pool',
  };
  console.log('\nextraction throughput (metadata fields; each extractor in its own process)');
  console.log(
    table([
      ['extractor', 'pages/s', 'ratio', 'peak RSS MB', 'RSS above start MB'],
      ...[metascraper, mine, withBody, pooled, pooledWithBody].map((result) => [
        labels[result.phase],
        rate(result).toFixed(0),
        `${(rate(result) / baseline).toFixed(1)}×`,
        result.peakRssMb.toFixed(0),
        (result.peakRssMb - result.baselineRssMb).toFixed(0),
      ]),
    ]),
  );

  const scores = score(pages, mine.fields, metascraper.fields);
  console.log('\nfield correctness against the generator’s truth, and agreement between the two');
  console.log(
    table([
      ['field', 'scored', 'ours ok', 'metascraper ok', 'agree', 'metascraper ok & ours wrong'],
      ...scores.map((row) => [
        row.field,
        row.scored,
        row.ours,
        row.metascraper,
        `${((100 * row.agree) / pages.length).toFixed(0)}%`,
        row.metascraperOnly,
      ]),
    ]),
  );
  const corpusScores = await scoreCorpus();
  console.log(
    `\nbyline and boilerplate corpus (${BYLINE_CASES.length} bylines, ${BOILERPLATE_CASES.length} pages; the unit tests' expectations): fields right / total`,
  );
  console.log(
    table([
      ['field', 'ours', 'metascraper', 'Readability alone', 'metascraper ok & ours wrong'],
      ...corpusScores.map((row) => [
        row.label,
        `${row.ours}/${row.total}`,
        row.theirs === undefined ? 'n/a (no body)' : `${row.theirs}/${row.total}`,
        row.baseline === undefined ? '' : `${row.baseline}/${row.total}`,
        row.losses.length === 0 ? 0 : `${row.losses.length}: ${row.losses.join('; ')}`,
      ]),
    ]),
  );
  const corpusLosses = corpusScores.reduce((sum, row) => sum + row.losses.length, 0);

  const ratio = rate(pooled) / baseline;
  const losses = scores.reduce((sum, row) => sum + row.metascraperOnly, 0) + corpusLosses;
  const differing = mine.fields.filter(
    (fields, index) => JSON.stringify(fields) !== JSON.stringify(pooled.fields[index]),
  ).length;
  const overheadMs = (pool: PhaseResult, inline: PhaseResult) =>
    (1000 / rate(pool) - 1000 / rate(inline)).toFixed(2);
  console.log(
    `\nworker pool overhead per page (pool vs inline, same pages): metadata ${overheadMs(pooled, mine)} ms, ` +
      `metadata + body ${overheadMs(pooledWithBody, withBody)} ms; pages whose fields differ between pool and inline: ${differing}`,
  );
  console.log(
    `goal ≥10× metascraper with the worker pool: ${ratio.toFixed(1)}× ${ratio >= 10 ? 'met' : 'MISSED'} ` +
      `(inline ${(rate(mine) / baseline).toFixed(1)}×); fields metascraper gets right and we get wrong: ${losses}`,
  );
  return ratio >= 10 && losses === 0 && differing === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);
