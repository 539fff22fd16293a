import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { endpointsToEnv, readEndpoints, startInfra, stopInfra } from '../infra/src/infra-runner';

/**
 * `npm start`: the local infrastructure (unless KAFKA_BROKERS points elsewhere), then the four
 * services as separate processes; Ctrl-C stops the services first (they finish the message in
 * hand), then the infrastructure this command started.
 */
const repoRoot = resolve(__dirname, '..');
const logDir = join(repoRoot, '.infra', 'logs');

const services = [
  { name: 'ingestion', portVariable: 'INGESTION_PORT', port: 3100 },
  { name: 'enrichment', portVariable: 'ENRICHMENT_PORT', port: 3101 },
  { name: 'image-processing', portVariable: 'IMAGE_PROCESSING_PORT', port: 3102 },
  { name: 'search-indexing', portVariable: 'SEARCH_INDEXING_PORT', port: 3103 },
] as const;

/** Local-development defaults; any variable already set in the environment wins. */
const developmentDefaults: Record<string, string> = {
  NODE_ENV: 'development',
  S3_BUCKET: 'curation',
  OPENPROJECT_URL: 'http://127.0.0.1:8080',
  OPENPROJECT_API_KEY: 'development-key',
  OPENPROJECT_WEBHOOK_SECRET: 'development-secret',
  ADMIN_PASSWORD: 'development-admin',
  DEVELOPMENT_MODE: 'true',
};

async function waitUntilLive(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 300));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 20000);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    child.kill('SIGTERM');
  });
}

async function main(): Promise<void> {
  const externalInfra = Boolean(process.env.KAFKA_BROKERS);
  const startedInfra = !externalInfra && readEndpoints() === undefined;
  const infraEnvironment = externalInfra
    ? {}
    : endpointsToEnv(
        await startInfra({ onProgress: (line) => process.stdout.write(`  ${line}\n`) }),
      );
  const environment = { ...developmentDefaults, ...infraEnvironment, ...process.env } as Record<
    string,
    string
  >;
  mkdirSync(logDir, { recursive: true });

  let stopping = false;
  const children = services.map((service) => {
    const log = createWriteStream(join(logDir, `${service.name}.log`), { flags: 'a' });
    const child = spawn(
      process.execPath,
      [join(repoRoot, 'services', service.name, 'dist', 'main.js')],
      {
        env: environment,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    child.once('exit', (code) => {
      if (!stopping)
        process.stderr.write(`${service.name} exited with code ${code}; see ${log.path}\n`);
    });
    return child;
  });

  const stop = async (exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping services…\n');
    await Promise.all(children.map(stopChild));
    if (startedInfra) {
      process.stdout.write('stopping infrastructure…\n');
      await stopInfra();
    }
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  const port = (service: (typeof services)[number]) =>
    Number(environment[service.portVariable] ?? service.port);
  try {
    await Promise.all(
      services.map((service) =>
        waitUntilLive(`http://127.0.0.1:${port(service)}/health/live`, 120000),
      ),
    );
  } catch (error) {
    process.stderr.write(`${(error as Error).message}; logs are in ${logDir}\n`);
    await stop(1);
  }
  const [ingestion, , , searchIndexing] = services;
  const rows: Array<[string, string]> = [
    ['webhook', `http://127.0.0.1:${port(ingestion)}/webhooks/openproject`],
    ['submissions', `http://127.0.0.1:${port(ingestion)}/v1/items`],
    ['search API', `http://127.0.0.1:${port(searchIndexing)}/v1/search?q=`],
    ['queue dashboard', `http://127.0.0.1:${port(ingestion)}/admin/queues`],
    ['OpenSearch', environment.OPENSEARCH_URL],
    ['logs', logDir],
  ];
  process.stdout.write(`\ncuration pipeline is running (Ctrl-C stops it)\n`);
  for (const [label, value] of rows) process.stdout.write(`  ${label.padEnd(16)} ${value}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`npm start failed: ${error.message}\n`);
  process.exitCode = 1;
});
