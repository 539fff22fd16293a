import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '@curation/platform';
import {
  OpenProjectClient,
  type CallOptions,
  type OpenProjectAttachment,
  type OpenProjectCommentActivity,
  type OpenProjectStatus,
  type OpenProjectType,
  type OpenProjectWorkPackage,
  type WorkPackageFilter,
  type WorkPackageFormSchema,
} from '@curation/openproject';
import type { IngestionConfig } from '../config/ingestion.config';

export const OPENPROJECT_CLIENT = Symbol('OPENPROJECT_CLIENT');

const SCHEMA_CACHE_TTL_MS = 10 * 60 * 1000;

export function createOpenProjectClient(config: IngestionConfig): OpenProjectClient {
  const logger = new Logger(OpenProjectClient.name);
  return new OpenProjectClient({
    baseUrl: config.OPENPROJECT_URL,
    apiKey: config.OPENPROJECT_API_KEY,
    requestTimeoutMs: config.OPENPROJECT_REQUEST_TIMEOUT_MS,
    retryBudgetMs: config.OPENPROJECT_RETRY_BUDGET_SECONDS * 1000,
    retryInitialDelayMs: config.OPENPROJECT_RETRY_INITIAL_DELAY_MS,
    retryMaxDelayMs: config.OPENPROJECT_RETRY_MAX_DELAY_MS,
    onRetry: ({ url, attempt, delayMs, reason }) =>
      logger.warn(
        `OpenProject not answering (${reason}) for ${url}; attempt ${attempt} in ${delayMs} ms`,
      ),
  });
}

/** OpenProject's API v3, with work-package schemas cached (custom-field names rarely change). */
@Injectable()
export class OpenProjectRepository {
  private readonly schemas = new Map<
    string,
    { schema: Promise<WorkPackageFormSchema>; until: number }
  >();

  constructor(
    @Inject(OPENPROJECT_CLIENT) private readonly client: OpenProjectClient,
    @Inject(APP_CONFIG) private readonly config: IngestionConfig,
  ) {}

  get baseUrl(): string {
    return this.client.baseUrl;
  }

  getWorkPackage(id: number, options?: CallOptions): Promise<OpenProjectWorkPackage | undefined> {
    return this.client.getWorkPackage(id, options);
  }

  getType(id: number, options?: CallOptions): Promise<OpenProjectType | undefined> {
    return this.client.getType(id, options);
  }

  getAttachments(workPackage: OpenProjectWorkPackage): Promise<OpenProjectAttachment[]> {
    return this.client.getAttachments(workPackage);
  }

  getSchema(href: string, options?: CallOptions): Promise<WorkPackageFormSchema> {
    const cached = this.schemas.get(href);
    if (cached && cached.until > Date.now()) return cached.schema;
    const schema = this.client.getWorkPackageSchema(href, options);
    this.schemas.set(href, { schema, until: Date.now() + SCHEMA_CACHE_TTL_MS });
    schema.catch(() => this.schemas.delete(href));
    return schema;
  }

  listStatuses(options?: CallOptions): Promise<OpenProjectStatus[]> {
    return this.client.listStatuses(options);
  }

  addComment(
    workPackageId: number,
    raw: string,
    options?: CallOptions,
  ): Promise<OpenProjectCommentActivity> {
    return this.client.addComment(workPackageId, raw, options);
  }

  /** Pages of work packages matching the filters, `sweepPageSize` at a time. */
  workPackagePages(filters: WorkPackageFilter[]): AsyncGenerator<OpenProjectWorkPackage[]> {
    return this.client.workPackagePages(filters, this.config.OPENPROJECT_SWEEP_PAGE_SIZE);
  }

  /** The first work package of a type, whatever its status (start-up checks). */
  async firstOfType(
    typeId: number,
    options?: CallOptions,
  ): Promise<OpenProjectWorkPackage | undefined> {
    const collection = await this.client.listWorkPackages(
      {
        filters: [
          { type: { operator: '=', values: [String(typeId)] } },
          { status: { operator: '*', values: [] } },
        ],
        pageSize: 1,
        page: 1,
      },
      options,
    );
    return collection._embedded.elements[0];
  }
}
