import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '@curation/platform';
import { SafeHttpClient, type SafeFetchResponse } from '@curation/safe-fetch';
import type { EnrichmentConfig } from '../config/enrichment.config';

const ACCEPT_HTML = 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1';

/** Source pages over the SSRF-safe client; throws SafeFetchError. */
@Injectable()
export class PageRepository implements OnApplicationShutdown {
  private readonly client: SafeHttpClient;

  constructor(@Inject(APP_CONFIG) config: EnrichmentConfig) {
    this.client = new SafeHttpClient({
      maxBytes: config.PAGE_FETCH_MAX_BYTES,
      connectTimeoutMs: config.PAGE_FETCH_CONNECT_TIMEOUT_MS,
      totalTimeoutMs: config.PAGE_FETCH_TIMEOUT_MS,
      maxRedirects: config.PAGE_FETCH_MAX_REDIRECTS,
      allowHosts: config.FETCH_ALLOW_HOSTS,
      allowedPorts: config.FETCH_ALLOWED_PORTS,
      userAgent: config.PAGE_FETCH_USER_AGENT,
      accept: ACCEPT_HTML,
    });
  }

  fetch(url: string): Promise<SafeFetchResponse> {
    return this.client.fetch(url);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
