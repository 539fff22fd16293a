import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { endpointsToEnv, readEndpoints, startInfra, stopInfra } from '../infra/src/infra-runner';
import {
  DEVELOPMENT_DEFAULTS,
  SERVICES,
  repoRoot,
  servicePort,
  spawnService,
  stopProcess,
  waitUntilLive,
} from './pipeline-processes';
import { developmentCredentialRows } from './development-credentials';
import { publishRule } from './publish-rule';

/**
 * `npm start`: the local infrastructure (unless KAFKA_BROKERS points elsewhere), then the four
 * services as separate processes; Ctrl-C stops the services first (they finish the message in
 * hand), then the infrastructure this command started.
 */
const logDir = join(repoRoot, '.infra', 'logs');

async function main(): Promise<void> {
  const externalInfra = Boolean(process.env.KAFKA_BROKERS);
  const startedInfra = !externalInfra && readEndpoints() === undefined;
  const infraEnvironment = externalInfra
    ? {}
    : endpointsToEnv(
        await startInfra({ onProgress: (line) => process.stdout.write(`  ${line}\n`) }),
      );
  const environment = { ...DEVELOPMENT_DEFAULTS, ...infraEnvironment, ...process.env } as Record<
    string,
    string
  >;
  // Comments written back to OpenProject link the document API when no public site is set.
  environment.SEARCH_PUBLIC_URL ??= `http://127.0.0.1:${servicePort('search-indexing', environment)}`;
  mkdirSync(logDir, { recursive: true });

  let stopping = false;
  const children = SERVICES.map(({ name }) => {
    const logFile = join(logDir, `${name}.log`);
    const child = spawnService(name, environment, logFile);
    child.once('exit', (code) => {
      if (!stopping) process.stderr.write(`${name} exited with code ${code}; see ${logFile}\n`);
    });
    return child;
  });

  const stop = async (exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping services…\n');
    await Promise.all(children.map((child) => stopProcess(child)));
    if (startedInfra) {
      process.stdout.write('stopping infrastructure…\n');
      await stopInfra();
    }
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  try {
    await Promise.all(
      SERVICES.map(({ name }) =>
        waitUntilLive(`http://127.0.0.1:${servicePort(name, environment)}/health/live`, 120000),
      ),
    );
  } catch (error) {
    process.stderr.write(`${(error as Error).message}; logs are in ${logDir}\n`);
    await stop(1);
  }
  const ingestion = `http://127.0.0.1:${servicePort('ingestion', environment)}`;
  const searchIndexing = `http://127.0.0.1:${servicePort('search-indexing', environment)}`;
  const rows: Array<[string, string]> = [
    ['webhook', `${ingestion}/webhooks/openproject`],
    ['submissions', `${ingestion}/v1/items`],
    ['search API', `${searchIndexing}/v1/search?q=`],
    ['API docs', `${ingestion}/docs  ${searchIndexing}/docs`],
    ['queue dashboard', `${ingestion}/admin/queues`],
    ['OpenSearch', environment.OPENSEARCH_URL],
    ['publish rule', publishRule(environment)],
    ['write-back', `OPENPROJECT_WRITE_BACK=${environment.OPENPROJECT_WRITE_BACK ?? 'comment'}`],
    ['logs', logDir],
  ];
  process.stdout.write(`\ncuration pipeline is running (Ctrl-C stops it)\n`);
  for (const [label, value] of rows) process.stdout.write(`  ${label.padEnd(20)} ${value}\n`);
  process.stdout.write(`\ncredentials (README "Configuration" lists every variable)\n`);
  for (const [label, value] of developmentCredentialRows(DEVELOPMENT_DEFAULTS, process.env)) {
    process.stdout.write(`  ${label.padEnd(20)} ${value}\n`);
  }
  process.stdout.write(`\nfirst thing to try: npm run demo (in another terminal)\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`npm start failed: ${error.message}\n`);
  process.exitCode = 1;
});
