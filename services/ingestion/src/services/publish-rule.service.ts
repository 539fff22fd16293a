import { Inject, Injectable, Logger } from '@nestjs/common';
import type { CallOptions, OpenProjectWorkPackage } from '@curation/openproject';
import { APP_CONFIG } from '@curation/platform';
import type { IngestionConfig } from '../config/ingestion.config';
import { OpenProjectRepository } from '../repositories/openproject.repository';
import { statusIdsOf, unapprovedStatusOf, unpublishedStatusOf } from './work-package.mapper';

/** Which statuses publish: an allow-list (`OPENPROJECT_PUBLISH_STATUSES`) or today's deny-list. */
@Injectable()
export class PublishRuleService {
  private readonly logger = new Logger(PublishRuleService.name);
  private publishStatusIds?: Promise<ReadonlySet<number>>;

  constructor(
    private readonly openProject: OpenProjectRepository,
    @Inject(APP_CONFIG) private readonly config: IngestionConfig,
  ) {}

  get gated(): boolean {
    return this.config.OPENPROJECT_PUBLISH_STATUSES.length > 0;
  }

  /** One line for start-up logs and banners. */
  describe(): string {
    return describePublishRule(this.config);
  }

  /**
   * The status label that keeps the work package off the site, `undefined` when its status
   * publishes.
   */
  async offSiteStatusOf(workPackage: OpenProjectWorkPackage): Promise<string | undefined> {
    if (!this.gated) {
      return unpublishedStatusOf(workPackage, this.config.OPENPROJECT_UNPUBLISHED_STATUSES);
    }
    return unapprovedStatusOf(workPackage, await this.allowedStatusIds());
  }

  /**
   * Names are resolved through the API once (status names are localisable, ids are not); a
   * failed lookup is tried again on the next call. Entries naming no status are reported by
   * the start-up check and otherwise publish nothing.
   */
  allowedStatusIds(options?: CallOptions): Promise<ReadonlySet<number>> {
    this.publishStatusIds ??= this.resolveStatusIds(options);
    const pending = this.publishStatusIds;
    pending.catch(() => {
      if (this.publishStatusIds === pending) this.publishStatusIds = undefined;
    });
    return pending;
  }

  /** Entries of OPENPROJECT_PUBLISH_STATUSES that name no status of the instance. */
  async unknownEntries(options?: CallOptions): Promise<string[]> {
    if (!this.gated) return [];
    const statuses = await this.openProject.listStatuses(options);
    return statusIdsOf(this.config.OPENPROJECT_PUBLISH_STATUSES, statuses).unknown;
  }

  private async resolveStatusIds(options?: CallOptions): Promise<ReadonlySet<number>> {
    const statuses = await this.openProject.listStatuses(options);
    const { ids, unknown } = statusIdsOf(this.config.OPENPROJECT_PUBLISH_STATUSES, statuses);
    if (unknown.length > 0) {
      this.logger.error(
        `OPENPROJECT_PUBLISH_STATUSES names no status of OpenProject: ${unknown.join(', ')}`,
      );
    }
    this.logger.log(
      `publishing work packages in status ${statuses
        .filter((status) => ids.has(status.id))
        .map((status) => `${status.name} (${status.id})`)
        .join(', ')}`,
    );
    return ids;
  }
}

/** The active publish rule in words (also for the start banner, which has no OpenProject). */
export function describePublishRule(
  config: Pick<
    IngestionConfig,
    'OPENPROJECT_PUBLISH_STATUSES' | 'OPENPROJECT_UNPUBLISHED_STATUSES'
  >,
): string {
  return config.OPENPROJECT_PUBLISH_STATUSES.length > 0
    ? `publish gate: only work packages in status ${config.OPENPROJECT_PUBLISH_STATUSES.join(', ')} are published (OPENPROJECT_PUBLISH_STATUSES)`
    : `deny-list: every status publishes except ${config.OPENPROJECT_UNPUBLISHED_STATUSES.join(', ')} (OPENPROJECT_UNPUBLISHED_STATUSES; set OPENPROJECT_PUBLISH_STATUSES for a publish gate)`;
}
