import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hasErrorCode } from './errno';

const STOP_GRACE_MS = 30_000;
const KILL_WAIT_MS = 5_000;

export interface SpawnOptions {
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Own session and process group, output to the log file: the server outlives the command that started it. */
export function spawnDetached(
  command: string,
  args: string[],
  options: SpawnOptions,
): ChildProcess {
  const logFd = fs.openSync(options.logFile, 'a');
  try {
    return spawn(command, args, {
      detached: true,
      stdio: ['ignore', logFd, logFd],
      env: options.env ?? process.env,
      cwd: options.cwd,
    });
  } finally {
    fs.closeSync(logFd);
  }
}

export interface CommandResult {
  stdout: string;
  stderr: string;
}

export function runCommand(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { ...options, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const output = `${stdout}\n${stderr}`.trim().split('\n').slice(-20).join('\n');
          reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${output}`));
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return hasErrorCode(error, 'EPERM');
  }
}

function isGroupAlive(processGroup: number): boolean {
  return isAlive(-processGroup);
}

/** Guards against signalling a pid recorded long ago and since reused by an unrelated process. */
export function runsCommand(pid: number, marker: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(marker);
  } catch {
    return false;
  }
}

export interface StoppableProcess {
  pid: number;
  processGroup: number;
}

/** SIGTERM to the server, then SIGKILL to it and its process group if still there after the grace period. */
export async function stopServerProcess(target: StoppableProcess, marker: string): Promise<void> {
  const ownsPid = runsCommand(target.pid, marker);
  const ownsGroup = runsCommand(target.processGroup, marker) || ownsPid;
  if (!ownsPid && !ownsGroup) return;
  const stillRunning = (): boolean =>
    (ownsPid && isAlive(target.pid)) || (ownsGroup && isGroupAlive(target.processGroup));
  // Not the whole group: a wrapper such as runuser answers SIGTERM by killing the server 2 s later.
  sendSignal(ownsPid ? target.pid : -target.processGroup, 'SIGTERM');
  if (await waitUntil(() => !stillRunning(), STOP_GRACE_MS)) return;
  if (ownsGroup) sendSignal(-target.processGroup, 'SIGKILL');
  if (ownsPid) sendSignal(target.pid, 'SIGKILL');
  await waitUntil(() => !stillRunning(), KILL_WAIT_MS);
}

function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if (!hasErrorCode(error, 'ESRCH')) throw error;
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(200);
  }
  return condition();
}

export function tailLines(file: string, count: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-count).join('\n');
  } catch {
    return '(no log written)';
  }
}

export function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      continue;
    }
  }
  return undefined;
}
