import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { endpointsToEnv, readEndpoints } from '../../infra/src/infra-runner';
import { cliContext, ingestionHeaders } from './cli-context';

/** What ingestion answered: status and parsed body, whatever the status. */
export interface ApiAnswer {
  status: number;
  body: unknown;
}

export async function callIngestion(path: string, init?: RequestInit): Promise<ApiAnswer> {
  const context = cliContext();
  const response = await fetch(`${context.ingestionUrl}${path}`, {
    ...init,
    headers: ingestionHeaders(context, init?.headers),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON (a proxy's error page): shown as text.
  }
  return { status: response.status, body };
}

export interface ItemSummary {
  itemId: string;
  state: string;
  stage: string;
  revision: number;
  attempt?: number;
  workPackageId?: number;
  updatedAt: string;
  lastError?: { stage: string; reason: string; at: string };
  title?: string;
}

export interface RetryResult {
  itemId: string;
  outcome: 'started' | 'conflict' | 'unknown' | 'error';
  status: number;
  detail?: string;
}

export function describeAnswer(answer: ApiAnswer): string {
  const body = answer.body as { message?: unknown } | string | undefined;
  if (typeof body === 'string') return body;
  const message = body?.message;
  return Array.isArray(message) ? message.join('; ') : String(message ?? answer.status);
}

export async function retryOne(itemId: string): Promise<RetryResult> {
  const answer = await callIngestion(`/v1/items/${encodeURIComponent(itemId)}/retry`, {
    method: 'POST',
  });
  const outcome =
    answer.status === 202
      ? 'started'
      : answer.status === 409
        ? 'conflict'
        : answer.status === 404
          ? 'unknown'
          : 'error';
  return {
    itemId,
    outcome,
    status: answer.status,
    detail: outcome === 'started' ? undefined : describeAnswer(answer),
  };
}

/** Failed items (newest first), those whose failure is at or after `since` when given. */
export async function failedItems(since?: number): Promise<ItemSummary[]> {
  const answer = await callIngestion('/v1/items?state=failed&limit=500');
  if (answer.status !== 200)
    throw new Error(`GET /v1/items answered ${answer.status}: ${describeAnswer(answer)}`);
  const { items } = answer.body as { items: ItemSummary[] };
  return since === undefined
    ? items
    : items.filter((item) => Date.parse(item.lastError?.at ?? item.updatedAt) >= since);
}

/** Retries one item after the other, with a progress bar on stderr. */
export async function retryAll(
  items: ItemSummary[],
  showProgress: boolean,
): Promise<RetryResult[]> {
  const progress = showProgress
    ? new SingleBar({ format: 'retrying [{bar}] {value}/{total} {itemId}' })
    : undefined;
  progress?.start(items.length, 0, { itemId: '' });
  const results: RetryResult[] = [];
  try {
    for (const item of items) {
      results.push(await retryOne(item.itemId));
      progress?.increment({ itemId: item.itemId });
    }
  } finally {
    progress?.stop();
  }
  return results;
}

/**
 * Runs search-indexing's reindex command (a new index version, alias moved without downtime)
 * with the environment the CLI found, and answers what it printed.
 */
export function runReindex(deleteOld: boolean): Promise<unknown> {
  const local = readEndpoints();
  const repoRoot = join(__dirname, '..', '..');
  const child = spawn(
    join(repoRoot, 'node_modules', '.bin', 'tsx'),
    [
      join(repoRoot, 'services', 'search-indexing', 'src', 'commands', 'reindex.command.ts'),
      ...(deleteOld ? ['--delete-old'] : []),
    ],
    {
      env: { ...(local ? endpointsToEnv(local) : {}), ...process.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  let errors = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(errors.trim() || `reindex exited with ${code}`));
        return;
      }
      const last = output.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(last));
      } catch {
        resolve(last);
      }
    });
  });
}
