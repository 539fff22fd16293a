import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from './errno';
import { withFileLock } from './file-lock';
import { findFreePorts } from './free-ports';
import { cacheDir, infraDir, logFileOf } from './infra-paths';
import {
  allRecordedProcessesAlive,
  clearServiceRecords,
  endpointsOf,
  readServiceRecords,
  writeServiceRecords,
  type ServiceRecords,
} from './infra-state';
import { kafkaServer } from './kafka.server';
import { opensearchServer } from './opensearch.server';
import { isAlive, stopServerProcess, tailLines } from './processes';
import { redisServer } from './redis.server';
import { s3ProxyServer } from './s3proxy.server';
import {
  SERVER_NAMES,
  type InfraEndpoints,
  type LaunchedServer,
  type ServerDefinition,
  type ServerName,
  type ServiceRecord,
} from './service';

export { endpointsToEnv } from './infra-state';
export { SERVER_NAMES } from './service';
export type { InfraEndpoints, ServerName } from './service';

const SERVERS: Record<ServerName, ServerDefinition> = {
  kafka: kafkaServer,
  opensearch: opensearchServer,
  s3: s3ProxyServer,
  redis: redisServer,
};
const LOG_LINES_IN_ERRORS = 20;
const READY_POLL_MS = 500;

export interface StartOptions {
  only?: ServerName[];
  onProgress?: (line: string) => void;
}

export interface ServiceStatus {
  name: ServerName;
  healthy: boolean;
  endpoint: string;
  log: string;
  pid?: number;
}

export class InfraStartError extends Error {
  constructor(
    readonly service: ServerName,
    readonly reason: string,
    readonly log: string,
  ) {
    const tail = tailLines(log, LOG_LINES_IN_ERRORS).replace(/^/gm, '    ');
    super(
      `${service} failed to start: ${reason}\n  log: ${log}\n  last ${LOG_LINES_IN_ERRORS} log lines:\n${tail}`,
    );
    this.name = 'InfraStartError';
  }
}

/** Thrown into the services still starting when another one has failed: the start is abandoned. */
class StartAbandoned extends Error {}

/**
 * Starts the services (all by default), reusing those the state file records that still answer.
 * Kafka is ready once its broker has registered; for a few more seconds its group coordinator
 * may still be loading, which Kafka clients retry by themselves.
 */
export async function startInfra(options: StartOptions = {}): Promise<InfraEndpoints> {
  const stateDir = infraDir();
  const progress = options.onProgress ?? (() => undefined);
  const wanted = [...new Set(options.only ?? SERVER_NAMES)];
  return withFileLock(path.join(stateDir, 'runner.lock'), async () => {
    const services = await healthyRecords(stateDir, progress);
    const toStart = wanted.filter((name) => !services[name]);
    for (const name of wanted.filter((name) => services[name])) {
      progress(`${name}: already running at ${services[name]?.endpoint}`);
    }
    if (toStart.length > 0) await startServices(stateDir, toStart, services, progress);
    writeServiceRecords(stateDir, services);
    return endpointsOf(services);
  });
}

export async function stopInfra(
  options: { onProgress?: (line: string) => void } = {},
): Promise<void> {
  const stateDir = infraDir();
  const progress = options.onProgress ?? (() => undefined);
  await withFileLock(path.join(stateDir, 'runner.lock'), async () => {
    const records = Object.values(readServiceRecords(stateDir));
    await Promise.all(
      records.map(async (record) => {
        await stopServerProcess(record, SERVERS[record.name].commandMarker);
        progress(`${record.name}: stopped (pid ${record.pid})`);
      }),
    );
    clearServiceRecords(stateDir);
  });
}

export async function infraStatus(): Promise<ServiceStatus[]> {
  const stateDir = infraDir();
  const services = readServiceRecords(stateDir);
  return Promise.all(
    SERVER_NAMES.map(async (name) => {
      const record = services[name];
      if (!record) return { name, healthy: false, endpoint: '', log: logFileOf(stateDir, name) };
      const healthy = await isHealthy(record);
      return { name, healthy, endpoint: record.endpoint, log: record.log, pid: record.pid };
    }),
  );
}

/** Endpoints from the state file, or undefined unless every recorded server process is alive. */
export function readEndpoints(): InfraEndpoints | undefined {
  const services = readServiceRecords(infraDir());
  return allRecordedProcessesAlive(services) ? endpointsOf(services) : undefined;
}

async function isHealthy(record: ServiceRecord): Promise<boolean> {
  return isAlive(record.pid) && (await SERVERS[record.name].isReady(record.endpoint));
}

/** Drops recorded servers that are gone, and stops those that run but no longer answer. */
async function healthyRecords(
  stateDir: string,
  progress: (line: string) => void,
): Promise<ServiceRecords> {
  const services = readServiceRecords(stateDir);
  await Promise.all(
    Object.values(services).map(async (record) => {
      if (await isHealthy(record)) return;
      if (isAlive(record.pid)) {
        progress(`${record.name}: recorded server does not answer, restarting it`);
        await stopServerProcess(record, SERVERS[record.name].commandMarker);
      }
      delete services[record.name];
    }),
  );
  return services;
}

async function startServices(
  stateDir: string,
  names: ServerName[],
  services: ServiceRecords,
  progress: (line: string) => void,
): Promise<void> {
  const ports = await findFreePorts(names.reduce((sum, name) => sum + SERVERS[name].portCount, 0));
  const abandon = new AbortController();
  const startedNow = new Map<ServerName, ServiceRecord>();
  const record = (entry: ServiceRecord): void => {
    startedNow.set(entry.name, entry);
    services[entry.name] = entry;
    writeServiceRecords(stateDir, services);
  };
  const results = await Promise.allSettled(
    names.map((name) =>
      startService(stateDir, name, ports.splice(0, SERVERS[name].portCount), {
        progress,
        record,
        signal: abandon.signal,
      }).catch((error: unknown) => {
        abandon.abort();
        throw error;
      }),
    ),
  );
  const failures = results.flatMap((result) =>
    result.status === 'rejected' && !(result.reason instanceof StartAbandoned)
      ? [result.reason as Error]
      : [],
  );
  if (failures.length === 0) return;
  await stopAll([...startedNow.values()], progress);
  for (const name of startedNow.keys()) delete services[name];
  writeServiceRecords(stateDir, services);
  throw failures.length === 1
    ? failures[0]
    : new Error(failures.map((failure) => failure.message).join('\n\n'));
}

async function stopAll(records: ServiceRecord[], progress: (line: string) => void): Promise<void> {
  await Promise.all(
    records.map(async (record) => {
      await stopServerProcess(record, SERVERS[record.name].commandMarker);
      progress(`${record.name}: stopped after the failed start`);
    }),
  );
}

interface StartHooks {
  progress: (line: string) => void;
  /** Called once the process is spawned, and again with the server's own pid once it is ready. */
  record: (record: ServiceRecord) => void;
  signal: AbortSignal;
}

async function startService(
  stateDir: string,
  name: ServerName,
  ports: number[],
  hooks: StartHooks,
): Promise<void> {
  const definition = SERVERS[name];
  const log = logFileOf(stateDir, name);
  fs.mkdirSync(path.dirname(log), { recursive: true });
  fs.writeFileSync(log, '');
  const startedAt = Date.now();
  const progress = (message: string): void => hooks.progress(`${name}: ${message}`);
  let launched: LaunchedServer;
  try {
    launched = await definition.launch({
      infraDir: stateDir,
      cacheDir: cacheDir(),
      logFile: log,
      ports,
      progress,
    });
  } catch (error) {
    throw new InfraStartError(name, errorMessage(error), log);
  }
  const exit = watchExit(launched.child);
  const pid = launched.child.pid;
  if (pid === undefined) throw new InfraStartError(name, 'the process could not be spawned', log);
  const record: ServiceRecord = { name, pid, processGroup: pid, endpoint: launched.endpoint, log };
  hooks.record(record);
  progress(`starting at ${launched.endpoint} (pid ${pid})`);
  try {
    await waitUntilReady(definition, launched.endpoint, exit, hooks.signal);
  } catch (error) {
    if (error instanceof StartAbandoned) throw error;
    throw new InfraStartError(name, errorMessage(error), log);
  }
  hooks.record({ ...record, pid: readPidFile(launched.pidFile) ?? pid });
  launched.child.unref();
  progress(`ready at ${launched.endpoint} in ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
}

/** Holds why the process ended, once it has. */
function watchExit(child: ChildProcess): { reason?: string } {
  const exit: { reason?: string } = {};
  child.once('error', (error) => {
    exit.reason = `could not be spawned: ${error.message}`;
  });
  child.once('exit', (code, signal) => {
    exit.reason = `exited before it was ready (${signal ? `signal ${signal}` : `exit code ${code}`})`;
  });
  return exit;
}

async function waitUntilReady(
  definition: ServerDefinition,
  endpoint: string,
  exit: { reason?: string },
  signal: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + definition.readyTimeoutMs;
  for (;;) {
    if (exit.reason) throw new Error(exit.reason);
    if (signal.aborted) throw new StartAbandoned();
    if (await definition.isReady(endpoint)) return;
    if (Date.now() > deadline)
      throw new Error(`did not answer within ${definition.readyTimeoutMs / 1000}s`);
    await sleep(READY_POLL_MS);
  }
}

function readPidFile(pidFile: string | undefined): number | undefined {
  if (!pidFile) return undefined;
  try {
    const pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8'), 10);
    return Number.isInteger(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}
