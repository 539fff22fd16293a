import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '@curation/platform';
import { SafeFetchError, SafeHttpClient } from '@curation/safe-fetch';
import type { ImageProcessingConfig } from '../config/image-processing.config';

export interface ImageFetchRequest {
  url: string;
  /**
   * `openproject`: a work-package attachment on the OPENPROJECT_URL origin, fetched with the API
   * key even when that origin is private. `public`: everything else, under the public-only rules.
   */
  channel: 'public' | 'openproject';
  /** This download's share of the item's time budget. */
  timeoutMs: number;
}

export type ImageFetchResult =
  | { ok: true; url: string; bytes: Buffer }
  | {
      ok: false;
      problem: 'too-large' | 'fetch-failed';
      retryable: boolean;
      /** The class of failure, fit for events and documents (`address not allowed`, `HTTP 404`). */
      reason: string;
      /** Everything known, addresses included: for logs only. */
      detail: string;
    };

/** Downloads a source image; every expected failure (404, too big, stalled, blocked) is a result. */
export abstract class ImageFetchRepository {
  abstract fetch(request: ImageFetchRequest): Promise<ImageFetchResult>;
}

const ACCEPT = 'image/avif,image/webp,image/png,image/jpeg,image/gif,image/tiff;q=0.9,*/*;q=0.1';

@Injectable()
export class SafeImageFetchRepository
  extends ImageFetchRepository
  implements OnApplicationShutdown
{
  private readonly publicClient: SafeHttpClient;
  /** Same limits; its only extra allowance is the OPENPROJECT_URL origin (exact scheme, host, port). */
  private readonly openProjectClient?: SafeHttpClient;
  private readonly openProjectOrigin?: string;
  private readonly authorization?: string;

  constructor(@Inject(APP_CONFIG) config: ImageProcessingConfig) {
    super();
    const options = {
      maxBytes: config.IMAGE_MAX_BYTES,
      connectTimeoutMs: config.IMAGE_FETCH_CONNECT_TIMEOUT_MS,
      totalTimeoutMs: config.IMAGE_FETCH_TIMEOUT_MS,
      maxRedirects: config.IMAGE_FETCH_MAX_REDIRECTS,
      allowHosts: config.FETCH_ALLOW_HOSTS,
      allowedPorts: config.FETCH_ALLOWED_PORTS,
      accept: ACCEPT,
    };
    this.publicClient = new SafeHttpClient(options);
    if (config.OPENPROJECT_URL) {
      this.openProjectOrigin = new URL(config.OPENPROJECT_URL).origin;
      this.openProjectClient = new SafeHttpClient({
        ...options,
        trustedOrigins: [this.openProjectOrigin],
      });
      if (config.OPENPROJECT_API_KEY) {
        this.authorization = `Basic ${Buffer.from(`apikey:${config.OPENPROJECT_API_KEY}`).toString('base64')}`;
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.publicClient.close(), this.openProjectClient?.close()]);
  }

  async fetch(request: ImageFetchRequest): Promise<ImageFetchResult> {
    try {
      const response =
        request.channel === 'openproject'
          ? await this.fetchFromOpenProject(request)
          : await this.publicClient.fetch(request.url, { totalTimeoutMs: request.timeoutMs });
      return { ok: true, url: response.url, bytes: response.body };
    } catch (error) {
      if (!(error instanceof SafeFetchError)) throw error;
      return {
        ok: false,
        problem: error.code === 'too-large' ? 'too-large' : 'fetch-failed',
        retryable: error.retryable,
        reason: error.publicReason,
        detail: `${error.code}: ${error.message}`,
      };
    }
  }

  /** The key goes with the first request only if its origin is OPENPROJECT_URL's; a cross-origin redirect drops it. */
  private fetchFromOpenProject(request: ImageFetchRequest) {
    if (!this.openProjectClient || new URL(request.url).origin !== this.openProjectOrigin) {
      throw new Error(`${request.url} is not on the OPENPROJECT_URL origin`);
    }
    return this.openProjectClient.fetch(request.url, {
      totalTimeoutMs: request.timeoutMs,
      headers: this.authorization ? { authorization: this.authorization } : {},
    });
  }
}
