import { stopInfra } from '../../infra/src/infra-runner';

export default async function globalTeardown(): Promise<void> {
  if (process.env.CURATION_TEST_STARTED_INFRA === 'true' && process.env.KEEP_INFRA !== '1') {
    await stopInfra();
  }
}
