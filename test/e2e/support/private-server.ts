import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePorts } from '../../../infra/src/free-ports';
import { cacheDir } from '../../../infra/src/infra-paths';
import { readServiceRecords } from '../../../infra/src/infra-state';
import { isAlive, runsCommand, stopServerProcess } from '../../../infra/src/processes';
import type { ServerDefinition, ServerName } from '../../../infra/src/service';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Processes stopped with SIGSTOP: continued when the test process exits, whatever happened. */
const paused = new Set<number>();
process.once('exit', () => {
  for (const pid of paused) signal(pid, 'SIGCONT');
});

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** SIGSTOP, and SIGCONT after `ms` (also if the test fails in between): a server that hangs. */
export async function stall(pid: number, ms: number): Promise<void> {
  paused.add(pid);
  signal(pid, 'SIGSTOP');
  try {
    await sleep(ms);
  } finally {
    signal(pid, 'SIGCONT');
    paused.delete(pid);
  }
}

/**
 * The pid of a shared server the infrastructure runner started (its state file), checked to
 * still run that server; undefined when the servers came from elsewhere (KAFKA_BROKERS given).
 */
export function sharedServerPid(name: ServerName, stateDir: string): number | undefined {
  const record = readServiceRecords(stateDir)[name];
  if (!record) return undefined;
  const marker = name === 's3' ? 's3proxy' : name;
  return runsCommand(record.pid, marker) ? record.pid : undefined;
}

/**
 * A server of this test alone, started with the infrastructure runner's own definition (same
 * binaries, flags — Redis with AOF `everysec` — and readiness probe) on its own ports and data
 * folder, so it can be crashed without touching the servers other tests share. A restart
 * reuses the ports and the data.
 */
export class PrivateServer {
  private readonly dir: string;
  private child?: ChildProcess;
  private ports: number[] = [];
  endpoint = '';

  constructor(private readonly definition: ServerDefinition) {
    this.dir = mkdtempSync(join(tmpdir(), `e2e-${definition.name}-`));
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<string> {
    if (this.ports.length === 0) this.ports = await findFreePorts(this.definition.portCount);
    mkdirSync(join(this.dir, 'logs'), { recursive: true });
    const logFile = join(this.dir, 'logs', `${this.definition.name}.log`);
    const launched = await this.definition.launch({
      infraDir: this.dir,
      cacheDir: cacheDir(),
      logFile,
      ports: this.ports,
      progress: () => undefined,
    });
    this.child = launched.child;
    this.endpoint = launched.endpoint;
    const deadline = Date.now() + this.definition.readyTimeoutMs;
    while (!(await this.definition.isReady(this.endpoint))) {
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(`private ${this.definition.name} did not start; see ${logFile}`);
      }
      await sleep(300);
    }
    return this.endpoint;
  }

  /** SIGKILL to the server's process group: no shutdown hook, no final fsync, as in a crash. */
  async kill(): Promise<void> {
    const pid = this.child?.pid;
    this.child = undefined;
    if (!pid) return;
    signal(-pid, 'SIGKILL');
    const deadline = Date.now() + 10000;
    while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  }

  /** Crashes the server, leaves it down for `downMs`, starts it again on the same ports and data. */
  async crash(downMs: number): Promise<void> {
    await this.kill();
    await sleep(downMs);
    await this.start();
  }

  async stall(ms: number): Promise<void> {
    if (!this.child?.pid) throw new Error(`private ${this.definition.name} is not running`);
    await stall(this.child.pid, ms);
  }

  /** SIGTERM (SIGKILL after the runner's grace period). */
  async stop(): Promise<void> {
    const pid = this.child?.pid;
    if (pid) await stopServerProcess({ pid, processGroup: pid }, this.definition.commandMarker);
    this.child = undefined;
  }

  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
