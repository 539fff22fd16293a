import fs from 'node:fs';
import path from 'node:path';
import { errorMessage } from './errno';
import { withFileLock } from './file-lock';

export interface CacheCandidate {
  /** Folder name in the cache, e.g. `opensearch-2.19.6`: one per version. */
  name: string;
  /** Fills the staging folder that becomes the cached folder once complete. */
  build: (stagingDir: string) => Promise<void>;
}

/**
 * Returns the folder of the first candidate already cached, else builds the candidates in
 * order until one succeeds. Builds run under one lock (concurrent runs, and Maven's local
 * repository, are safe) into a staging folder renamed at the end (no half-downloaded cache).
 */
export async function ensureCached(
  cacheDir: string,
  candidates: CacheCandidate[],
  progress: (message: string) => void,
): Promise<{ name: string; dir: string }> {
  const cached = candidates.find((candidate) => fs.existsSync(path.join(cacheDir, candidate.name)));
  if (cached) return { name: cached.name, dir: path.join(cacheDir, cached.name) };
  return withFileLock(path.join(cacheDir, '.download.lock'), () =>
    buildFirstAvailable(cacheDir, candidates, progress),
  );
}

async function buildFirstAvailable(
  cacheDir: string,
  candidates: CacheCandidate[],
  progress: (message: string) => void,
): Promise<{ name: string; dir: string }> {
  const failures: string[] = [];
  for (const candidate of candidates) {
    const dir = path.join(cacheDir, candidate.name);
    if (fs.existsSync(dir)) return { name: candidate.name, dir };
    progress(`downloading ${candidate.name} into ${cacheDir} (once)`);
    try {
      await buildInto(dir, candidate);
      return { name: candidate.name, dir };
    } catch (error) {
      failures.push(`${candidate.name}: ${errorMessage(error)}`);
      progress(`${candidate.name} could not be downloaded`);
    }
  }
  throw new Error(`download failed:\n${failures.join('\n')}`);
}

async function buildInto(finalDir: string, candidate: CacheCandidate): Promise<void> {
  removeStagingLeftovers(finalDir);
  const stagingDir = `${finalDir}.partial-${process.pid}`;
  fs.mkdirSync(stagingDir, { recursive: true });
  try {
    await candidate.build(stagingDir);
    fs.renameSync(stagingDir, finalDir);
  } finally {
    fs.rmSync(stagingDir, { recursive: true, force: true });
  }
}

/** Only called under the lock: any staging folder left is from a run that died mid-download. */
function removeStagingLeftovers(finalDir: string): void {
  const prefix = `${path.basename(finalDir)}.partial-`;
  for (const entry of fs.readdirSync(path.dirname(finalDir))) {
    if (entry.startsWith(prefix))
      fs.rmSync(path.join(path.dirname(finalDir), entry), { recursive: true, force: true });
  }
}
