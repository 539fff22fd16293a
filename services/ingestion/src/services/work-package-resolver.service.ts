import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  Topic,
  itemIdForWorkPackage,
  type EventOf,
  type ItemReceivedData,
  type ItemRemovedData,
} from '@curation/contracts';
import { EventPublisher, OnEvent, PermanentEventError } from '@curation/kafka';
import {
  CustomFieldMappingError,
  OpenProjectRequestError,
  OpenProjectResponseError,
  type OpenProjectWorkPackage,
} from '@curation/openproject';
import { APP_CONFIG } from '@curation/platform';
import { ConstantBackoff, handleType, retry } from 'cockatiel';
import { configuredCustomFields, type IngestionConfig } from '../config/ingestion.config';
import { descriptionsCutTotal, workPackageOutcomesTotal } from '../ingestion.metrics';
import { ItemStateRepository, type UpstreamVersion } from '../repositories/item-state.repository';
import { OpenProjectRepository } from '../repositories/openproject.repository';
import { WorkPackageItemRepository } from '../repositories/work-package-item.repository';
import { PublishRuleService } from './publish-rule.service';
import {
  customFieldKeysOf,
  toReceivedData,
  workPackageDigest,
  workPackageTypeId,
} from './work-package.mapper';

export type Trigger = 'webhook' | 'sweep';

export type ResolveOutcome =
  | 'received'
  | 'removed'
  | 'duplicate'
  | 'unchanged'
  | 'ignored-type'
  | 'ignored-unpublished'
  | 'not-found'
  | 'foreign';

/** Another instance is publishing the same item right now. */
class ClaimBusyError extends Error {}

/** Waits out another instance's claim (held at most 30 s) rather than failing the message. */
const waitForClaim = retry(handleType(ClaimBusyError), {
  maxAttempts: 140,
  backoff: new ConstantBackoff(250),
});

function versionOf(workPackage: OpenProjectWorkPackage): UpstreamVersion {
  return {
    lockVersion: workPackage.lockVersion,
    updatedAtMs: Date.parse(workPackage.updatedAt) || 0,
  };
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * Turns "something happened to work package N" into at most one event per upstream version:
 * loads the current work package, keeps the curated type, and publishes `received`, or
 * `removed` when it was unpublished, lost its URL, changed type or disappeared.
 */
@Injectable()
export class WorkPackageResolverService {
  private readonly logger = new Logger(WorkPackageResolverService.name);

  constructor(
    private readonly openProject: OpenProjectRepository,
    private readonly state: ItemStateRepository,
    private readonly items: WorkPackageItemRepository,
    private readonly publishRule: PublishRuleService,
    private readonly publisher: EventPublisher,
    @Inject(APP_CONFIG) private readonly config: IngestionConfig,
  ) {}

  itemIdOf(workPackageId: number): string {
    return itemIdForWorkPackage(this.config.OPENPROJECT_URL, workPackageId);
  }

  /** Kafka edge: failures that retrying cannot fix become permanent (dead-lettered with the reason). */
  @OnEvent(Topic.OpenProjectWebhook)
  async handleWebhookEvent(
    event: EventOf<typeof Topic.OpenProjectWebhook>,
  ): Promise<ResolveOutcome> {
    if (
      withoutTrailingSlash(event.data.openProjectBaseUrl) !==
      withoutTrailingSlash(this.config.OPENPROJECT_URL)
    ) {
      workPackageOutcomesTotal.inc({ trigger: 'webhook', outcome: 'foreign' });
      return 'foreign';
    }
    try {
      return await this.resolve(event.data.workPackageId, 'webhook');
    } catch (error) {
      if (isPermanent(error))
        throw new PermanentEventError((error as Error).message, { cause: error });
      throw error;
    }
  }

  /** `listed`: the representation a list query already returned, to spare a request. */
  async resolve(
    workPackageId: number,
    trigger: Trigger,
    listed?: OpenProjectWorkPackage,
  ): Promise<ResolveOutcome> {
    const outcome = await this.decide(workPackageId, trigger, listed);
    workPackageOutcomesTotal.inc({ trigger, outcome });
    this.logger.debug(`work package ${workPackageId} (${trigger}): ${outcome}`);
    return outcome;
  }

  private async decide(
    workPackageId: number,
    trigger: Trigger,
    listed?: OpenProjectWorkPackage,
  ): Promise<ResolveOutcome> {
    const itemId = this.itemIdOf(workPackageId);
    const workPackage = listed ?? (await this.openProject.getWorkPackage(workPackageId));
    if (!workPackage) return this.removeVanished(workPackageId, itemId);

    const version = versionOf(workPackage);
    if (workPackageTypeId(workPackage) !== this.config.OPENPROJECT_TYPE_ID) {
      if (!(await this.state.isLive(workPackageId))) return 'ignored-type';
      const digest = await this.digestOf(workPackage);
      return this.publishRemoved(itemId, workPackageId, version, digest, {
        reason: 'type-changed',
        detail: workPackage._links.type.title ?? workPackage._links.type.href ?? undefined,
      });
    }

    const offSiteStatus = await this.publishRule.offSiteStatusOf(workPackage);
    if (offSiteStatus) {
      // Only an item on the site needs a removal: a work package created in an unpublished
      // status (as every one is under a publish gate) or already removed publishes nothing.
      if (!(await this.state.isLive(workPackageId))) return 'ignored-unpublished';
      const digest = await this.digestOf(workPackage);
      return this.publishRemoved(itemId, workPackageId, version, digest, {
        reason: 'unpublished-status',
        detail: offSiteStatus,
      });
    }

    const schema = await this.openProject.getSchema(workPackage._links.schema.href ?? '');
    const keys = customFieldKeysOf(schema, configuredCustomFields(this.config));
    const attachments = await this.openProject.getAttachments(workPackage);
    const digest = workPackageDigest(workPackage, attachments);
    const data = toReceivedData(workPackage, keys, attachments, {
      openProjectBaseUrl: this.openProject.baseUrl,
      featuredImageNames: this.config.OPENPROJECT_FEATURED_IMAGE_NAMES,
      descriptionMaxBytes: this.config.DESCRIPTION_MAX_BYTES,
    });
    if (data?.descriptionCut) {
      descriptionsCutTotal.inc({ source: 'openproject' });
      this.logger.warn(
        `work package ${workPackageId}: description cut from ${data.descriptionCut.originalBytes} to ${data.descriptionCut.keptBytes} bytes (DESCRIPTION_MAX_BYTES)`,
      );
    }
    if (!data) {
      return this.publishRemoved(itemId, workPackageId, version, digest, {
        reason: 'missing-url',
        detail: 'neither cleanUrl nor sourceUrl is an http(s) URL',
      });
    }
    return this.publishReceived(itemId, workPackageId, version, digest, data);
  }

  private async digestOf(workPackage: OpenProjectWorkPackage): Promise<string> {
    return workPackageDigest(workPackage, await this.openProject.getAttachments(workPackage));
  }

  /** Gone upstream (deleted, or no longer visible to the API user). */
  private async removeVanished(workPackageId: number, itemId: string): Promise<ResolveOutcome> {
    if (!(await this.state.isLive(workPackageId))) return 'not-found';
    const published = await this.state.publishedVersion(itemId);
    // No lockVersion is left to read: the removal outranks the last published revision.
    const version = {
      lockVersion: (published?.lockVersion ?? 0) + 1,
      updatedAtMs: Date.now(),
    };
    return this.publishRemoved(itemId, workPackageId, version, undefined, {
      reason: 'deleted-upstream',
    });
  }

  private async publishReceived(
    itemId: string,
    workPackageId: number,
    version: UpstreamVersion,
    digest: string,
    data: ItemReceivedData,
  ): Promise<ResolveOutcome> {
    return this.publishOnce(
      itemId,
      workPackageId,
      version,
      'live',
      `received|${digest}`,
      async () => {
        await this.publisher.publish(Topic.ItemReceived, {
          itemId,
          revision: version.lockVersion,
          data,
        });
        return 'received';
      },
    );
  }

  private async publishRemoved(
    itemId: string,
    workPackageId: number,
    version: UpstreamVersion,
    digest: string | undefined,
    data: ItemRemovedData,
  ): Promise<ResolveOutcome> {
    const outcome = digest === undefined ? undefined : `removed:${data.reason}|${digest}`;
    return this.publishOnce(itemId, workPackageId, version, 'removed', outcome, async () => {
      await this.publisher.publish(Topic.ItemRemoved, {
        itemId,
        revision: version.lockVersion,
        data: data.detail === undefined ? { reason: data.reason } : data,
      });
      return 'removed';
    });
  }

  /**
   * Publishes only when this version is newer than the last one published, and only from one
   * instance: a Redis claim (compare-and-set) is taken first, committed after Kafka acknowledged,
   * released if publishing failed so a retry can publish.
   *
   * A newer version whose decision and digest equal the last published ones (the pipeline's own
   * comment bumped `lockVersion`, nothing else changed) is recorded without publishing anything.
   */
  private async publishOnce(
    itemId: string,
    workPackageId: number,
    version: UpstreamVersion,
    state: 'live' | 'removed',
    /** What is published and from which digest; `undefined`: always publish. */
    decision: string | undefined,
    publish: () => Promise<ResolveOutcome>,
  ): Promise<ResolveOutcome> {
    const claim = await waitForClaim.execute(async () => {
      const result = await this.state.claim(itemId, version);
      if (result.kind === 'busy') throw new ClaimBusyError(`item ${itemId} is being published`);
      return result;
    });
    if (claim.kind !== 'claimed') return 'duplicate';
    let outcome: ResolveOutcome;
    try {
      if (decision !== undefined && (await this.items.digestOf(itemId)) === decision) {
        await this.state.commit(itemId, workPackageId, version, claim.token, state);
        return 'unchanged';
      }
      outcome = await publish();
    } catch (error) {
      await this.state.release(itemId, claim.token);
      throw error;
    }
    await this.state.commit(itemId, workPackageId, version, claim.token, state);
    await this.items.remember(itemId, workPackageId, decision);
    return outcome;
  }
}

function isPermanent(error: unknown): boolean {
  return (
    error instanceof CustomFieldMappingError ||
    error instanceof OpenProjectResponseError ||
    (error instanceof OpenProjectRequestError && [400, 422].includes(error.status))
  );
}
