import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@curation/platform';
import { ObjectStorageRepository, rawPageKey } from '@curation/storage';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { EnrichmentConfig } from '../config/enrichment.config';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** A page as fetched: what extraction needs, whether it came from the network or from S3. */
export interface RawPage {
  /** Final URL after redirects. */
  url: string;
  contentType?: string;
  body: Buffer;
}

const GZIP_CONTENT_TYPE = 'application/gzip';
const FINAL_URL = 'final-url';
const PAGE_CONTENT_TYPE = 'page-content-type';

/** S3 user metadata travels as HTTP headers: printable ASCII only. */
function headerSafe(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '').slice(0, 1024);
}

/** The fetched page of every item revision, gzip in S3, so extraction can run again without a fetch. */
@Injectable()
export class RawPageRepository {
  private readonly maxPageBytes: number;

  constructor(
    @Inject(APP_CONFIG) config: EnrichmentConfig,
    @Inject(ObjectStorageRepository) private readonly storage: ObjectStorageRepository,
  ) {
    this.maxPageBytes = config.PAGE_FETCH_MAX_BYTES;
  }

  /** Idempotent: the same revision's page is written again under the same key. */
  async save(itemId: string, revision: number, page: RawPage): Promise<void> {
    await this.storage.put({
      key: rawPageKey(itemId, revision),
      body: await gzipAsync(page.body),
      contentType: GZIP_CONTENT_TYPE,
      metadata: {
        [FINAL_URL]: headerSafe(page.url),
        ...(page.contentType ? { [PAGE_CONTENT_TYPE]: headerSafe(page.contentType) } : {}),
        revision: String(revision),
      },
    });
  }

  /** The page stored for this revision, or undefined when none was kept. */
  async find(itemId: string, revision: number): Promise<RawPage | undefined> {
    const stored = await this.storage.getObject(rawPageKey(itemId, revision));
    const url = stored?.metadata[FINAL_URL];
    if (!stored || !url) return undefined;
    return {
      url,
      contentType: stored.metadata[PAGE_CONTENT_TYPE],
      // Bounded like a fetch: an object that inflates past the page size cap is refused.
      body: await gunzipAsync(stored.body, { maxOutputLength: this.maxPageBytes }),
    };
  }
}
