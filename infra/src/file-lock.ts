import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hasErrorCode } from './errno';
import { isAlive } from './processes';

const DEFAULT_LOCK_TIMEOUT_MS = 15 * 60_000;

/** Cross-process mutual exclusion: the lock file holds its owner's pid, so a crashed owner's lock is taken over. */
export async function withFileLock<T>(
  lockPath: string,
  action: () => Promise<T>,
  timeoutMs = DEFAULT_LOCK_TIMEOUT_MS,
): Promise<T> {
  await acquireLock(lockPath, timeoutMs);
  try {
    return await action();
  } finally {
    fs.rmSync(lockPath, { force: true });
  }
}

async function acquireLock(lockPath: string, timeoutMs: number): Promise<void> {
  fs.mkdirSync(path.dirname(lockPath), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (tryCreateLock(lockPath)) return;
    const owner = lockOwner(lockPath);
    if (owner !== undefined && !isAlive(owner)) {
      fs.rmSync(lockPath, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${lockPath} (held by pid ${owner ?? 'unknown'})`);
    }
    await sleep(250);
  }
}

function tryCreateLock(lockPath: string): boolean {
  try {
    fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
    return true;
  } catch (error) {
    if (hasErrorCode(error, 'EEXIST')) return false;
    throw error;
  }
}

function lockOwner(lockPath: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(lockPath, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
