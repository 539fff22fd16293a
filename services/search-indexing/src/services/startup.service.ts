import { Injectable, OnModuleInit } from '@nestjs/common';
import { ReadinessRegistry } from '@curation/platform';
import { ObjectStorageRepository } from '@curation/storage';
import { SearchIndexRepository } from '../repositories/search-index.repository';
import { SearchIndexSetupService } from './search-index-setup.service';

const READINESS_PROBE_KEY = '.readiness-probe';

/** Index, alias and bucket exist before the consumers start (they start after every module init). */
@Injectable()
export class StartupService implements OnModuleInit {
  constructor(
    private readonly setup: SearchIndexSetupService,
    private readonly index: SearchIndexRepository,
    private readonly storage: ObjectStorageRepository,
    private readonly readiness: ReadinessRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.setup.ensureIndex();
    await this.storage.ensureBucket();
    this.readiness.register('opensearch', () => this.index.ping());
    this.readiness.register('s3', async () => void (await this.storage.head(READINESS_PROBE_KEY)));
  }
}
