import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigError } from '@curation/config';
import {
  CustomFieldMappingError,
  OpenProjectRequestError,
  OpenProjectUnavailableError,
} from '@curation/openproject';
import { APP_CONFIG } from '@curation/platform';
import { configuredCustomFields, type IngestionConfig } from '../config/ingestion.config';
import { OpenProjectRepository } from '../repositories/openproject.repository';
import { PublishRuleService } from './publish-rule.service';
import { customFieldKeysOf } from './work-package.mapper';

/**
 * Fails start-up on a configured-but-wrong mapping (unknown type, rejected API key, a
 * custom-field id or name missing from the curated type's schema) when OpenProject answers.
 * OpenProject being away (development) is no reason to stop: names are then resolved per
 * schema as events arrive.
 */
@Injectable()
export class OpenProjectStartupCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger(OpenProjectStartupCheck.name);
  private settle!: (passed: boolean) => void;
  /** Whether start-up may go on: consumers started beside this check wait for it. */
  readonly passed = new Promise<boolean>((resolve) => (this.settle = resolve));

  constructor(
    private readonly openProject: OpenProjectRepository,
    private readonly publishRule: PublishRuleService,
    @Inject(APP_CONFIG) private readonly config: IngestionConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.logger.log(this.publishRule.describe());
    try {
      await this.check();
      this.settle(true);
    } catch (error) {
      this.settle(error instanceof OpenProjectUnavailableError);
      if (error instanceof OpenProjectUnavailableError) {
        this.logger.warn(
          `OpenProject not reachable at start-up, mapping checked lazily: ${error.message}`,
        );
        return;
      }
      if (error instanceof OpenProjectRequestError && [401, 403].includes(error.status)) {
        throw new ConfigError([`OPENPROJECT_API_KEY: rejected by OpenProject (${error.status})`]);
      }
      if (error instanceof CustomFieldMappingError) {
        throw new ConfigError([`OPENPROJECT_CF_*: ${error.message}`]);
      }
      throw error;
    }
  }

  private async check(): Promise<void> {
    const once = { retry: false };
    const typeId = this.config.OPENPROJECT_TYPE_ID;
    const type = await this.openProject.getType(typeId, once);
    if (!type) throw new ConfigError([`OPENPROJECT_TYPE_ID: OpenProject has no type ${typeId}`]);
    const unknownStatuses = await this.publishRule.unknownEntries(once);
    if (unknownStatuses.length > 0) {
      throw new ConfigError([
        `OPENPROJECT_PUBLISH_STATUSES: OpenProject has no status ${unknownStatuses.join(', ')}`,
      ]);
    }
    if (this.publishRule.gated) await this.publishRule.allowedStatusIds(once);
    const sample = await this.openProject.firstOfType(typeId, once);
    if (!sample?._links.schema.href) {
      this.logger.log(
        `type ${typeId} (${type.name}) has no work packages yet: mapping checked lazily`,
      );
      return;
    }
    const schema = await this.openProject.getSchema(sample._links.schema.href, once);
    const keys = customFieldKeysOf(schema, configuredCustomFields(this.config));
    this.logger.log(
      `type ${typeId} (${type.name}); custom fields in ${schema.href}: ${JSON.stringify(keys)}`,
    );
  }
}
