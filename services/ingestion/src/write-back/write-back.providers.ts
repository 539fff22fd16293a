import { eventConsumerProvider } from '@curation/kafka';
import { OpenProjectStartupCheck } from '../services/openproject-startup-check.service';
import { WriteBackClaimRepository } from './write-back-claim.repository';
import { WriteBackProcessor } from './write-back.processor';
import { WriteBackQueueRepository } from './write-back-queue.repository';
import { WRITE_BACK_GROUP, WriteBackService } from './write-back.service';

/** The write-back's providers, for IngestionModule (it shares ingestion's repositories). */
export const writeBackProviders = [
  // Joins its group only once the OpenProject mapping is known good: a failed start stops cleanly.
  eventConsumerProvider(WRITE_BACK_GROUP, {
    inject: [OpenProjectStartupCheck],
    useFactory: (check: OpenProjectStartupCheck) => () => check.passed,
  }),
  WriteBackClaimRepository,
  WriteBackQueueRepository,
  WriteBackService,
  WriteBackProcessor,
];
