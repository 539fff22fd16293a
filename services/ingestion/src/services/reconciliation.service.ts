import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  OpenProjectUnavailableError,
  type OpenProjectWorkPackage,
  type WorkPackageFilter,
} from '@curation/openproject';
import { APP_CONFIG } from '@curation/platform';
import type { IngestionConfig } from '../config/ingestion.config';
import { sweepsTotal } from '../ingestion.metrics';
import { ItemStateRepository } from '../repositories/item-state.repository';
import { OpenProjectRepository } from '../repositories/openproject.repository';
import { PublishRuleService } from './publish-rule.service';
import { workPackageTypeId } from './work-package.mapper';
import { WorkPackageResolverService, type ResolveOutcome } from './work-package-resolver.service';

/** Work packages changed shortly before the last sweep started are listed again (clock skew). */
const WATERMARK_OVERLAP_MS = 60_000;
const IDS_PER_QUERY = 100;

export interface SweepReport {
  status: 'completed';
  since: string | null;
  /** Work packages of the curated type changed since the last sweep. */
  changed: number;
  /** Published work packages checked for deletion, type or status changes. */
  checked: number;
  outcomes: Partial<Record<ResolveOutcome | 'failed', number>>;
}

export type SweepResult = SweepReport | { status: 'already-running' };

const ALL_STATUSES: WorkPackageFilter = { status: { operator: '*', values: [] } };

/**
 * Finds what webhooks cannot tell: OpenProject sends no delete event and drops an event it
 * could not deliver. Lists the curated type's work packages changed since the last sweep,
 * then checks every published work package against the API: gone (404/410), moved to another
 * type, unpublished or newer than published all lead to an event.
 */
@Injectable()
export class ReconciliationService {
  private readonly logger = new Logger(ReconciliationService.name);

  constructor(
    private readonly openProject: OpenProjectRepository,
    private readonly state: ItemStateRepository,
    private readonly resolver: WorkPackageResolverService,
    private readonly publishRule: PublishRuleService,
    @Inject(APP_CONFIG) private readonly config: IngestionConfig,
  ) {}

  async sweep(): Promise<SweepResult> {
    const lock = await this.state.acquireSweepLock();
    if (!lock) return { status: 'already-running' };
    try {
      const report = await this.sweepLocked();
      sweepsTotal.inc({ outcome: report.outcomes.failed ? 'partial' : 'completed' });
      this.logger.log(`sweep: ${JSON.stringify(report)}`);
      return report;
    } catch (error) {
      sweepsTotal.inc({ outcome: 'failed' });
      throw error;
    } finally {
      await this.state.releaseSweepLock(lock);
    }
  }

  private async sweepLocked(): Promise<SweepReport> {
    const startedAt = new Date();
    const since = await this.state.sweepWatermark();
    const report: SweepReport = {
      status: 'completed',
      since: since?.toISOString() ?? null,
      changed: 0,
      checked: 0,
      outcomes: {},
    };
    const count = (outcome: ResolveOutcome | 'failed') =>
      (report.outcomes[outcome] = (report.outcomes[outcome] ?? 0) + 1);
    const resolve = async (id: number, listed?: OpenProjectWorkPackage) => {
      try {
        count(await this.resolver.resolve(id, 'sweep', listed));
      } catch (error) {
        if (error instanceof OpenProjectUnavailableError) throw error;
        count('failed');
        this.logger.error(
          `sweep could not resolve work package ${id}: ${(error as Error).message}`,
        );
      }
    };

    const seen = new Set<number>();
    const changedFilters: WorkPackageFilter[] = [
      { type: { operator: '=', values: [String(this.config.OPENPROJECT_TYPE_ID)] } },
      ALL_STATUSES,
    ];
    if (since) {
      const from = new Date(since.getTime() - WATERMARK_OVERLAP_MS).toISOString();
      changedFilters.push({ updatedAt: { operator: '<>d', values: [from, ''] } });
    }
    for await (const page of this.openProject.workPackagePages(changedFilters)) {
      for (const workPackage of page) {
        seen.add(workPackage.id);
        report.changed++;
        await resolve(workPackage.id, workPackage);
      }
    }

    const live = await this.state.liveWorkPackages();
    const unchecked = [...live.keys()].filter((id) => !seen.has(id));
    for (let start = 0; start < unchecked.length; start += IDS_PER_QUERY) {
      const ids = unchecked.slice(start, start + IDS_PER_QUERY);
      const found = new Map<number, OpenProjectWorkPackage>();
      for await (const page of this.openProject.workPackagePages([
        { id: { operator: '=', values: ids.map(String) } },
        ALL_STATUSES,
      ])) {
        for (const workPackage of page) found.set(workPackage.id, workPackage);
      }
      for (const id of ids) {
        report.checked++;
        const workPackage = found.get(id);
        if (!workPackage) await resolve(id);
        else if (await this.differsFromPublished(workPackage, live.get(id)))
          await resolve(id, workPackage);
      }
    }

    // A failed item is listed again next time: the watermark only moves past complete sweeps.
    if (!report.outcomes.failed) await this.state.setSweepWatermark(startedAt);
    return report;
  }

  private async differsFromPublished(
    workPackage: OpenProjectWorkPackage,
    publishedLockVersion?: number,
  ): Promise<boolean> {
    return (
      workPackage.lockVersion !== publishedLockVersion ||
      workPackageTypeId(workPackage) !== this.config.OPENPROJECT_TYPE_ID ||
      (await this.publishRule.offSiteStatusOf(workPackage)) !== undefined
    );
  }
}
