import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '@curation/platform';
import { indexNamePattern, indexVersionOf, versionedIndexName } from '@curation/search';
import type { SearchIndexingConfig } from '../config/search-indexing.config';
import { curatedContentIndexTemplate } from '../repositories/curated-content.index-template';
import { SearchIndexRepository } from '../repositories/search-index.repository';

export interface ReindexOutcome {
  from: string[];
  to: string;
  copied: number;
  caughtUp: number;
  deletedOld: boolean;
}

/** The index template, the versioned indexes and the alias in front of them. */
@Injectable()
export class SearchIndexSetupService {
  private readonly logger = new Logger(SearchIndexSetupService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: SearchIndexingConfig,
    private readonly index: SearchIndexRepository,
  ) {}

  get alias(): string {
    return this.config.SEARCH_INDEX_ALIAS;
  }

  get templateName(): string {
    return this.alias;
  }

  /** Idempotent, and safe when several instances start at once. */
  async ensureIndex(): Promise<void> {
    await this.putTemplate();
    const existing = await this.index.ensureAliasedIndex(this.alias);
    if (existing.length === 0) {
      this.logger.log(`created ${versionedIndexName(this.alias, 1)} behind alias ${this.alias}`);
      return;
    }
    // Fields added to the template since the index was made are added to it in place (a
    // changed field needs `reindex`): strict mappings would refuse documents carrying them.
    for (const target of existing) {
      await this.index
        .putMapping(target, this.template().template.mappings)
        .catch((error: Error) => {
          throw new Error(
            `index ${target} cannot take the template's mappings in place (${error.message}): run \`npm run cli -- reindex\``,
          );
        });
    }
  }

  /**
   * Builds the next index version from the current one, moves the alias in one atomic
   * update, then copies what was written to the old index meanwhile (external versions keep
   * the newer document). Searches answer from the old index until the swap.
   */
  async reindex(options: { deleteOld: boolean }): Promise<ReindexOutcome> {
    await this.putTemplate();
    const from = await this.index.aliasTargets(this.alias);
    if (from.length === 0)
      throw new Error(`alias ${this.alias} does not exist: nothing to reindex`);
    const existing = await this.index.listIndexes(indexNamePattern(this.alias));
    const latest = Math.max(0, ...existing.map((name) => indexVersionOf(this.alias, name) ?? 0));
    const to = versionedIndexName(this.alias, latest + 1);
    if (!(await this.index.createIndex(to))) throw new Error(`${to} already exists`);
    let copied = 0;
    for (const source of from) copied += await this.index.copyDocuments(source, to);
    await this.index.pointAlias(this.alias, to, from);
    let caughtUp = 0;
    for (const source of from) caughtUp += await this.index.copyDocuments(source, to);
    if (options.deleteOld) for (const source of from) await this.index.deleteIndex(source);
    this.logger.log(`alias ${this.alias}: ${from.join(', ')} → ${to} (${copied} documents)`);
    return { from, to, copied, caughtUp, deletedOld: options.deleteOld };
  }

  /** Removes the alias, its indexes and its template (tests and operators' clean-up). */
  async dropAll(): Promise<void> {
    for (const name of await this.index.listIndexes(indexNamePattern(this.alias))) {
      await this.index.deleteIndex(name);
    }
    await this.index.deleteIndexTemplate(this.templateName);
  }

  private putTemplate(): Promise<void> {
    return this.index.putIndexTemplate(this.templateName, this.template());
  }

  private template() {
    return curatedContentIndexTemplate({
      alias: this.alias,
      shards: this.config.SEARCH_INDEX_SHARDS,
      replicas: this.config.SEARCH_INDEX_REPLICAS,
      deleteTombstoneRetention: this.config.SEARCH_DELETE_TOMBSTONE_RETENTION,
    });
  }
}
