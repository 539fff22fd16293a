import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '@curation/platform';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pLimit from 'p-limit';
import Piscina from 'piscina';
import type { EnrichmentConfig } from '../config/enrichment.config';
import type { ExtractedMetadata } from '../utils/metadata-extractor';
import type {
  BodyTask,
  ExtractedBody,
  ExtractionBudget,
  MetadataTask,
} from '../utils/page-extraction';

/**
 * `extracted`: everything asked for; `body-over-budget`: the metadata, but the body ran past the
 * deadline or the thread's memory; `over-budget`: not even the metadata.
 */
export type PageExtraction =
  | { kind: 'extracted'; metadata: ExtractedMetadata; body?: ExtractedBody }
  | { kind: 'body-over-budget'; metadata: ExtractedMetadata }
  | { kind: 'over-budget' };

export type PageExtractionSettings = Pick<
  EnrichmentConfig,
  | 'EXTRACTION_TIMEOUT_MS'
  | 'EXTRACTION_THREADS'
  | 'EXTRACTION_MAX_ELEMENTS'
  | 'EXTRACTION_MAX_DEPTH'
  | 'EXTRACTION_MAX_MEMORY_MB'
  | 'BODY_MAX_BYTES'
>;

/**
 * The built worker entry. Jest runs this file from TypeScript sources, but a worker thread does
 * not get jest's transform, so there (and in the benchmark) the compiled one of `npm run build`
 * is used: the same code the service runs.
 */
export function pageExtractionWorkerFile(): string {
  return __filename.endsWith('.ts')
    ? resolve(__dirname, '../../dist/repositories/page-extraction.worker.js')
    : join(__dirname, 'page-extraction.worker.js');
}

/** Metadata and readable-body extraction of one page on a worker-thread pool, under a hard deadline. */
@Injectable()
export class PageExtractionRepository implements OnModuleInit, OnApplicationShutdown {
  private readonly pool: Piscina;
  private readonly slots: pLimit.Limit;
  private readonly budget: ExtractionBudget;

  constructor(@Inject(APP_CONFIG) private readonly config: PageExtractionSettings) {
    const filename = pageExtractionWorkerFile();
    // Piscina gives up respawning a worker that fails at start: fail at boot instead.
    if (!existsSync(filename))
      throw new Error(`extraction worker ${filename} is missing: run npm run build`);
    const threads = config.EXTRACTION_THREADS;
    this.pool = new Piscina({
      filename,
      minThreads: threads,
      maxThreads: threads,
      resourceLimits: { maxOldGenerationSizeMb: config.EXTRACTION_MAX_MEMORY_MB },
    });
    // A page waits here for a free thread, so its deadline counts its own work only.
    this.slots = pLimit(threads);
    this.budget = {
      maxDepth: config.EXTRACTION_MAX_DEPTH,
      maxElements: config.EXTRACTION_MAX_ELEMENTS,
      bodyMaxBytes: config.BODY_MAX_BYTES,
    };
  }

  /**
   * Loads the extraction code into every thread at boot: a worker that cannot start stops the
   * service now, and the first page's deadline does not pay for the loading.
   */
  async onModuleInit(): Promise<void> {
    const warmUp: MetadataTask = { html: '<html></html>', pageUrl: 'http://localhost/' };
    await Promise.all(
      Array.from({ length: this.config.EXTRACTION_THREADS }, () =>
        this.pool.run(warmUp, { name: 'metadata' }),
      ),
    );
  }

  /** One deadline covers both passes; an aborted task's thread is terminated and replaced. */
  extract(html: string, pageUrl: string, options: { body: boolean }): Promise<PageExtraction> {
    return this.slots(async () => {
      const signal = AbortSignal.timeout(this.config.EXTRACTION_TIMEOUT_MS);
      const metadataTask: MetadataTask = { html, pageUrl };
      const metadata = await this.run<ExtractedMetadata>(metadataTask, 'metadata', signal);
      if (!metadata) return { kind: 'over-budget' };
      if (!options.body) return { kind: 'extracted', metadata };
      const bodyTask: BodyTask = { html, pageUrl, shape: metadata.shape, budget: this.budget };
      const body = await this.run<ExtractedBody>(bodyTask, 'body', signal);
      return body ? { kind: 'extracted', metadata, body } : { kind: 'body-over-budget', metadata };
    });
  }

  /** Undefined when the task ran out of time or memory; other failures throw. */
  private async run<T>(task: object, name: string, signal: AbortSignal): Promise<T | undefined> {
    try {
      return (await this.pool.run(task, { name, signal })) as T;
    } catch (error) {
      if (signal.aborted || isOutOfMemory(error)) return undefined;
      throw error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.destroy();
  }
}

function isOutOfMemory(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
}
