import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEVELOPMENT_DEFAULTS,
  SERVICES,
  servicePort,
  spawnService,
  stopProcess,
  waitUntilLive,
} from '../../scripts/pipeline-processes';
import { findFreePorts } from '../../infra/src/free-ports';
import { uniqueName } from '../support/test-environment';

/** Each built service boots as its own process, answers /health/live and stops cleanly on SIGTERM. */
describe('service processes', () => {
  const logDir = mkdtempSync(join(tmpdir(), 'service-lifecycle-'));

  it.each(SERVICES.map(({ name }) => name))(
    '%s boots, is live, and exits 0 on SIGTERM',
    async (name) => {
      const [port] = await findFreePorts(1);
      const variable = SERVICES.find((service) => service.name === name)!.portVariable;
      const environment = {
        ...DEVELOPMENT_DEFAULTS,
        ...(process.env as Record<string, string>),
        KAFKA_CLIENT_ID_PREFIX: uniqueName('lifecycle'),
        [variable]: String(port),
      };
      const child = spawnService(name, environment, join(logDir, `${name}.log`));
      try {
        const url = `http://127.0.0.1:${servicePort(name, environment)}/health/live`;
        await waitUntilLive(url, 90000);
        const live = await fetch(url);
        expect(await live.json()).toMatchObject({ status: 'ok' });
      } finally {
        expect(await stopProcess(child)).toBe(0);
      }
    },
  );
});
