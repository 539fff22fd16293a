import { issueLines } from '@curation/config';
import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import type { z } from 'zod';
import {
  CUSTOM_FIELD_KEY,
  attachmentCollectionSchema,
  commentActivitySchema,
  statusCollectionSchema,
  schemaPropertySchema,
  typeSchema,
  workPackageCollectionSchema,
  workPackageSchema,
  workPackageSchemaSchema,
  type OpenProjectAttachment,
  type OpenProjectCommentActivity,
  type OpenProjectStatus,
  type OpenProjectType,
  type OpenProjectWorkPackage,
  type SchemaProperty,
  type WorkPackageCollection,
  type WorkPackageFormSchema,
} from './hal.schemas';
import {
  OpenProjectOriginError,
  OpenProjectRequestError,
  OpenProjectResponseError,
  OpenProjectUnavailableError,
} from './openproject.errors';

export interface OpenProjectClientOptions {
  /** e.g. `https://openproject.example.org` (a path prefix is kept). */
  baseUrl: string;
  /** Sent with basic auth as user `apikey`. */
  apiKey: string;
  /** Per attempt. */
  requestTimeoutMs?: number;
  /** How long one call keeps retrying while OpenProject is unreachable or answers 5xx/429. */
  retryBudgetMs?: number;
  retryInitialDelayMs?: number;
  retryMaxDelayMs?: number;
  fetch?: typeof fetch;
  onRetry?: (event: { url: string; attempt: number; delayMs: number; reason: string }) => void;
}

export interface CallOptions {
  /** false: one attempt only (start-up probes must not wait out the retry budget). */
  retry?: boolean;
}

/** One filter of OpenProject's `filters` query parameter, e.g. `{ type: { operator: '=', values: ['7'] } }`. */
export type WorkPackageFilter = Record<string, { operator: string; values: string[] | null }>;

export interface WorkPackageQuery {
  filters: WorkPackageFilter[];
  pageSize: number;
  /** OpenProject's `offset` is the 1-based page number. */
  page: number;
}

/** Thrown inside the retry loop for answers worth another attempt. */
class TransientAnswer extends Error {}

type Json = unknown;

/**
 * OpenProject API v3 client. Transient failures (network, timeouts, 5xx, 429) are retried with
 * exponential backoff for a configurable budget, so a caller's work waits out an OpenProject
 * restart instead of failing; credentials are never sent to another origin.
 */
export class OpenProjectClient {
  readonly baseUrl: string;
  private readonly origin: string;
  private readonly authorization: string;
  private readonly fetchImpl: typeof fetch;
  private readonly requestTimeoutMs: number;
  private readonly retryBudgetMs: number;
  private readonly retryInitialDelayMs: number;
  private readonly retryMaxDelayMs: number;

  constructor(private readonly options: OpenProjectClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.origin = new URL(this.baseUrl).origin;
    this.authorization = `Basic ${Buffer.from(`apikey:${options.apiKey}`).toString('base64')}`;
    this.fetchImpl = options.fetch ?? fetch;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 15000;
    this.retryBudgetMs = options.retryBudgetMs ?? 10 * 60 * 1000;
    this.retryInitialDelayMs = options.retryInitialDelayMs ?? 500;
    this.retryMaxDelayMs = options.retryMaxDelayMs ?? 30000;
  }

  /** Resolves an href as OpenProject writes it (`/api/v3/...`) against the base URL. */
  absoluteUrl(href: string): string {
    return new URL(href, `${this.baseUrl}/`).toString();
  }

  /** `undefined` when the work package does not exist (any more) or is not visible. */
  async getWorkPackage(
    id: number,
    options?: CallOptions,
  ): Promise<OpenProjectWorkPackage | undefined> {
    return this.getResource(
      `${this.baseUrl}/api/v3/work_packages/${id}`,
      workPackageSchema,
      options,
    );
  }

  async getType(id: number, options?: CallOptions): Promise<OpenProjectType | undefined> {
    return this.getResource(`${this.baseUrl}/api/v3/types/${id}`, typeSchema, options);
  }

  /** A work-package schema (`/api/v3/work_packages/schemas/{projectId}-{typeId}`), custom fields by key. */
  async getWorkPackageSchema(href: string, options?: CallOptions): Promise<WorkPackageFormSchema> {
    const url = this.absoluteUrl(href);
    const body = await this.getJson(url, options);
    this.parse(url, workPackageSchemaSchema, body);
    const customFields = new Map<string, SchemaProperty>();
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (!CUSTOM_FIELD_KEY.test(key)) continue;
      const property = schemaPropertySchema.safeParse(value);
      if (property.success) customFields.set(key, property.data);
    }
    return { href, customFields };
  }

  /** The work package's attachments: embedded when the representation has them, else fetched. */
  async getAttachments(
    workPackage: OpenProjectWorkPackage,
    options?: CallOptions,
  ): Promise<OpenProjectAttachment[]> {
    const embedded = workPackage._embedded?.attachments;
    if (embedded && embedded._embedded.elements.length === embedded.total) {
      return embedded._embedded.elements;
    }
    const href =
      workPackage._links.attachments?.href ?? `/api/v3/work_packages/${workPackage.id}/attachments`;
    const url = this.absoluteUrl(href);
    const body = await this.getJson(url, options);
    return this.parse(url, attachmentCollectionSchema, body)._embedded.elements;
  }

  /** Every status of the instance (a few dozen at most: OpenProject answers them in one page). */
  async listStatuses(options?: CallOptions): Promise<OpenProjectStatus[]> {
    const url = `${this.baseUrl}/api/v3/statuses`;
    const body = await this.getJson(url, options);
    return this.parse(url, statusCollectionSchema, body)._embedded.elements;
  }

  /**
   * Adds a comment to a work package (`POST /api/v3/work_packages/{id}/activities`); OpenProject
   * answers 201 with the `Activity::Comment`. Not idempotent: a caller that must comment once
   * guards the call itself, and a retry after a timeout may comment twice.
   */
  async addComment(
    workPackageId: number,
    raw: string,
    options?: CallOptions,
  ): Promise<OpenProjectCommentActivity> {
    const url = `${this.baseUrl}/api/v3/work_packages/${workPackageId}/activities`;
    const request = { method: 'POST' as const, body: JSON.stringify({ comment: { raw } }) };
    const body = await this.withRetries(url, options?.retry !== false, async (signal) => {
      const response = await this.send(url, signal, request);
      return this.readJson(url, response);
    });
    return this.parse(url, commentActivitySchema, body);
  }

  async listWorkPackages(
    query: WorkPackageQuery,
    options?: CallOptions,
  ): Promise<WorkPackageCollection> {
    const url = new URL(`${this.baseUrl}/api/v3/work_packages`);
    url.searchParams.set('filters', JSON.stringify(query.filters));
    url.searchParams.set('sortBy', JSON.stringify([['id', 'asc']]));
    url.searchParams.set('pageSize', String(query.pageSize));
    url.searchParams.set('offset', String(query.page));
    const body = await this.getJson(url.toString(), options);
    return this.parse(url.toString(), workPackageCollectionSchema, body);
  }

  /** Every page of a work-package query, in id order. */
  async *workPackagePages(
    filters: WorkPackageFilter[],
    pageSize: number,
  ): AsyncGenerator<OpenProjectWorkPackage[]> {
    let seen = 0;
    for (let page = 1; ; page++) {
      const collection = await this.listWorkPackages({ filters, pageSize, page });
      const elements = collection._embedded.elements;
      if (elements.length > 0) yield elements;
      seen += elements.length;
      if (elements.length === 0 || seen >= collection.total) return;
    }
  }

  private async getResource<Schema extends z.ZodType>(
    url: string,
    schema: Schema,
    options?: CallOptions,
  ): Promise<z.infer<Schema> | undefined> {
    const body = await this.getJson(url, options, true);
    return body === undefined ? undefined : this.parse(url, schema, body);
  }

  private parse<Schema extends z.ZodType>(
    url: string,
    schema: Schema,
    body: Json,
  ): z.infer<Schema> {
    const result = schema.safeParse(body);
    if (!result.success) {
      throw new OpenProjectResponseError(url, issueLines(result.error, '(body)'));
    }
    return result.data;
  }

  /** GETs JSON; with `missingIsUndefined`, 404 and 410 give `undefined`. */
  private async getJson(
    url: string,
    options?: CallOptions,
    missingIsUndefined = false,
  ): Promise<Json> {
    return this.withRetries(url, options?.retry !== false, async (signal) => {
      const response = await this.send(url, signal);
      if (missingIsUndefined && (response.status === 404 || response.status === 410)) {
        await response.body?.cancel();
        return undefined;
      }
      return this.readJson(url, response);
    });
  }

  /** A transient status throws for another attempt; another error status for good. */
  private async readJson(url: string, response: Response): Promise<Json> {
    if (this.isTransientStatus(response.status)) {
      await response.body?.cancel();
      throw new TransientAnswer(`HTTP ${response.status}`);
    }
    const text = await response.text();
    if (!response.ok) {
      throw new OpenProjectRequestError(response.status, url, errorMessageOf(text));
    }
    try {
      return JSON.parse(text) as Json;
    } catch {
      throw new OpenProjectResponseError(url, ['not JSON']);
    }
  }

  /** Every request carrying the API key passes here: it goes to the OPENPROJECT_URL origin or nowhere. */
  private send(
    url: string,
    signal: AbortSignal,
    request: { method: 'GET' | 'POST'; body?: string } = { method: 'GET' },
  ): Promise<Response> {
    if (new URL(url).origin !== this.origin) {
      return Promise.reject(new OpenProjectOriginError(url, this.origin));
    }
    return this.fetchImpl(url, {
      method: request.method,
      body: request.body,
      headers: {
        authorization: this.authorization,
        accept: 'application/hal+json',
        ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      // Redirects are not followed, so the credentials never follow one to another origin.
      redirect: 'manual',
      signal: AbortSignal.any([signal, AbortSignal.timeout(this.requestTimeoutMs)]),
    });
  }

  private isTransientStatus(status: number): boolean {
    return status >= 500 || status === 429 || status === 408;
  }

  private async withRetries<T>(
    url: string,
    retrying: boolean,
    attempt: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const deadline = Date.now() + (retrying ? this.retryBudgetMs : 0);
    const policy = retry(
      handleWhen((error) => isTransientError(error) && Date.now() < deadline),
      {
        backoff: new ExponentialBackoff({
          initialDelay: this.retryInitialDelayMs,
          maxDelay: this.retryMaxDelayMs,
        }),
      },
    );
    policy.onRetry((event) => {
      const reason = 'error' in event ? describe(event.error) : 'unexpected result';
      this.options.onRetry?.({ url, attempt: event.attempt, delayMs: event.delay, reason });
    });
    try {
      return await policy.execute(({ signal }) => attempt(signal));
    } catch (error) {
      if (isTransientError(error)) {
        throw new OpenProjectUnavailableError(
          `OpenProject unavailable at ${url}: ${describe(error)}`,
          { cause: error },
        );
      }
      throw error;
    }
  }
}

function isTransientError(error: unknown): boolean {
  if (error instanceof TransientAnswer) return true;
  if (error instanceof OpenProjectRequestError || error instanceof OpenProjectResponseError) {
    return false;
  }
  // fetch rejects with a TypeError on network failures and a DOMException on timeouts; names
  // are compared because these come from Node's own realm (instanceof fails under test VMs).
  const name =
    typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  return name === 'TypeError' || name === 'TimeoutError' || name === 'AbortError';
}

function messageOf(error: unknown): string | undefined {
  const message =
    typeof error === 'object' && error !== null
      ? (error as { message?: unknown }).message
      : undefined;
  return typeof message === 'string' ? message : undefined;
}

function describe(error: unknown): string {
  const message = messageOf(error) ?? String(error);
  const cause = messageOf((error as { cause?: unknown } | undefined)?.cause);
  return cause ? `${message} (${cause})` : message;
}

function errorMessageOf(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === 'string') return body.message;
  } catch {
    // not an OpenProject error document
  }
  return text.slice(0, 300);
}
