/**
 * The throwaway script a user would write instead of the pipeline, the e2e benchmark's baseline:
 * one process, for each page URL: fetch the page, metascraper for the metadata, Readability on
 * jsdom for the readable body, fetch the og:image, sharp with its defaults for a 1000 px mozjpeg
 * JPEG, a 1000 px WebP and a 320 px thumbnail; 2 items in flight; nothing stored, queued or indexed.
 * Run by `e2e.bench.ts` in its own process (sharp's process-wide settings stay at their defaults,
 * and its CPU is its own): `tsx bench/naive-pipeline.ts <file with one URL a line>`; prints one JSON
 * line {items, seconds, cpuSeconds, peakRssBytes, bytesPerItem}.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- metascraper's rules are CommonJS factories */
import { Readability } from '@mozilla/readability';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';

const IN_FLIGHT = 2;

type Scraper = (options: { html: string; url: string }) => Promise<Record<string, unknown>>;

/** The part of jsdom used here (its own types pull the DOM library into the whole typecheck). */
interface JsdomModule {
  JSDOM: new (
    html: string,
    options: { url: string; virtualConsole: unknown },
  ) => { window: { document: ConstructorParameters<typeof Readability>[0]; close(): void } };
  VirtualConsole: new () => unknown;
}
const { JSDOM, VirtualConsole } = require('jsdom') as JsdomModule;

const scrape = (require('metascraper') as (rules: unknown[]) => Scraper)([
  require('metascraper-author')(),
  require('metascraper-date')(),
  require('metascraper-description')(),
  require('metascraper-image')(),
  require('metascraper-publisher')(),
  require('metascraper-title')(),
  require('metascraper-url')(),
]);

async function oneItem(url: string): Promise<number> {
  const html = await (await fetch(url)).text();
  const metadata = await scrape({ html, url });
  const dom = new JSDOM(html, { url, virtualConsole: new VirtualConsole() });
  const article = new Readability(dom.window.document).parse();
  dom.window.close();
  if (!article?.content || typeof metadata.image !== 'string') {
    throw new Error(`no article or image in ${url}`);
  }
  const image = Buffer.from(await (await fetch(metadata.image)).arrayBuffer());
  const outputs = await Promise.all([
    sharp(image).resize({ width: 1000 }).jpeg({ quality: 80, mozjpeg: true }).toBuffer(),
    sharp(image).resize({ width: 1000 }).webp({ quality: 75 }).toBuffer(),
    sharp(image).resize({ width: 320 }).jpeg({ quality: 80, mozjpeg: true }).toBuffer(),
  ]);
  return outputs.reduce((sum, output) => sum + output.length, 0);
}

async function main(): Promise<void> {
  const urls = readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  let bytes = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < urls.length) bytes += await oneItem(urls[next++]);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const peakRss = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  console.log(
    JSON.stringify({
      items: urls.length,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      peakRssBytes: peakRss ? Number(peakRss[1]) * 1024 : 0,
      bytesPerItem: bytes / urls.length,
    }),
  );
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);
