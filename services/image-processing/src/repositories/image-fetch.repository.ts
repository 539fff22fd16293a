import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '@curation/platform';
import { SafeFetchError, SafeHttpClient } from '@curation/safe-fetch';
import type { ImageProcessingConfig } from '../config/image-processing.config';

export interface ImageFetchRequest {
  url: string;
  /** Basic-auth header value; the client drops it on a cross-origin redirect. */
  authorization?: string;
}

export type ImageFetchResult =
  | { ok: true; url: string; bytes: Buffer }
  | { ok: false; problem: 'too-large' | 'fetch-failed'; retryable: boolean; detail: string };

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
  private readonly client: SafeHttpClient;

  constructor(@Inject(APP_CONFIG) config: ImageProcessingConfig) {
    super();
    this.client = new SafeHttpClient({
      maxBytes: config.IMAGE_MAX_BYTES,
      connectTimeoutMs: config.IMAGE_FETCH_CONNECT_TIMEOUT_MS,
      totalTimeoutMs: config.IMAGE_FETCH_TIMEOUT_MS,
      maxRedirects: config.IMAGE_FETCH_MAX_REDIRECTS,
      allowHosts: config.FETCH_ALLOW_HOSTS,
      accept: ACCEPT,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }

  async fetch(request: ImageFetchRequest): Promise<ImageFetchResult> {
    try {
      const response = await this.client.fetch(
        request.url,
        request.authorization ? { headers: { authorization: request.authorization } } : {},
      );
      return { ok: true, url: response.url, bytes: response.body };
    } catch (error) {
      if (!(error instanceof SafeFetchError)) throw error;
      return {
        ok: false,
        problem: error.code === 'too-large' ? 'too-large' : 'fetch-failed',
        retryable: error.retryable,
        detail: `${error.code}: ${error.message}`,
      };
    }
  }
}
