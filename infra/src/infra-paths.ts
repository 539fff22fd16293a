import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '../..');

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export function infraDir(): string {
  return process.env.CURATION_INFRA_DIR ?? path.join(REPO_ROOT, '.infra');
}

export function cacheDir(): string {
  if (process.env.CURATION_CACHE_DIR) return process.env.CURATION_CACHE_DIR;
  return isRoot()
    ? '/var/cache/curation-pipeline'
    : path.join(os.homedir(), '.cache', 'curation-pipeline');
}

export function logFileOf(stateDir: string, name: string): string {
  return path.join(stateDir, 'logs', `${name}.log`);
}

/**
 * OpenSearch refuses to run as root, and its unprivileged user must traverse every parent
 * folder: the repo may sit under /root (mode 700), so as root its files live under /var/tmp,
 * one folder per state folder.
 */
export function opensearchDir(stateDir: string): string {
  if (!isRoot()) return path.join(stateDir, 'opensearch');
  const key = createHash('sha256').update(path.resolve(stateDir)).digest('hex').slice(0, 12);
  const base = path.join('/var/tmp/curation-pipeline', key);
  makeTraversableDir('/var/tmp/curation-pipeline');
  makeTraversableDir(base);
  return path.join(base, 'opensearch');
}

function makeTraversableDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o755);
}
