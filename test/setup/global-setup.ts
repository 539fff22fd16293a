import { endpointsToEnv, readEndpoints, startInfra } from '../../infra/src/infra-runner';

/**
 * Integration tests run against real servers: the endpoints given in the environment when
 * KAFKA_BROKERS is set, otherwise the local infrastructure runner's (started when needed).
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.KAFKA_BROKERS) return;
  const alreadyRunning = readEndpoints() !== undefined;
  const endpoints = await startInfra({ onProgress: (line) => process.stderr.write(`${line}\n`) });
  Object.assign(process.env, endpointsToEnv(endpoints));
  // The runner may have found servers already up (a developer's `npm run infra:up`): leave those running.
  process.env.CURATION_TEST_STARTED_INFRA = alreadyRunning ? 'false' : 'true';
}
