import { Injectable, OnModuleInit } from '@nestjs/common';
import { SearchIndexSetupService } from './search-index-setup.service';

/** Index and alias exist before the consumers start (they start after every module init). */
@Injectable()
export class StartupService implements OnModuleInit {
  constructor(private readonly setup: SearchIndexSetupService) {}

  async onModuleInit(): Promise<void> {
    await this.setup.ensureIndex();
  }
}
