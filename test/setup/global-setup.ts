import path from 'node:path';
import { endpointsToEnv, readEndpoints, startInfra } from '../../infra/src/infra-runner';
import { awaitKafkaRoundTrip } from './kafka-round-trip';

/** Servers of the tests' own, so `npm start` never sees their events, items, dead letters or hits. */
const TEST_INFRA_DIR = path.resolve(__dirname, '../../.infra/test');

/**
 * Integration tests run against real servers: the endpoints given in the environment when
 * KAFKA_BROKERS is set, otherwise the local infrastructure runner's (started when needed).
 */
export default async function globalSetup(): Promise<void> {
  if (!process.env.KAFKA_BROKERS) {
    process.env.CURATION_INFRA_DIR ??= TEST_INFRA_DIR;
    const alreadyRunning = readEndpoints() !== undefined;
    const endpoints = await startInfra({ onProgress: (line) => process.stderr.write(`${line}\n`) });
    Object.assign(process.env, endpointsToEnv(endpoints));
    // The runner may have found servers already up (a previous run with KEEP_INFRA=1): leave those running.
    process.env.CURATION_TEST_STARTED_INFRA = alreadyRunning ? 'false' : 'true';
  }
  await awaitKafkaRoundTrip((process.env.KAFKA_BROKERS ?? '').split(','));
}
