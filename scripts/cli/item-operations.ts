import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
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
 * The reindex command as this CLI runs: compiled (`curation` in the image, where neither tsx nor
 * the TypeScript sources exist) runs search-indexing's compiled command with node; under tsx
 * (`npm run cli`) the TypeScript source, so no build is needed.
 */
function reindexCommand(): [command: string, script: string] {
  const searchIndexing = dirname(require.resolve('@curation/search-indexing/package.json'));
  if (__filename.endsWith('.js')) {
    return [process.execPath, join(searchIndexing, 'dist', 'commands', 'reindex.command.js')];
  }
  const repoRoot = join(__dirname, '..', '..');
  return [
    join(repoRoot, 'node_modules', '.bin', 'tsx'),
    join(searchIndexing, 'src', 'commands', 'reindex.command.ts'),
  ];
}

/**
 * Runs search-indexing's reindex command (a new index version, alias moved without downtime)
 * with the environment the CLI found, and answers what it printed.
 */
export function runReindex(deleteOld: boolean): Promise<unknown> {
  const local = readEndpoints();
  const [command, script] = reindexCommand();
  const child = spawn(command, [script, ...(deleteOld ? ['--delete-old'] : [])], {
    env: { ...(local ? endpointsToEnv(local) : {}), ...process.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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

/** A line a stored-content command (reextract, rerender) prints on stdout. */
export type CommandLine =
  | { event: 'progress'; done: number; total: number; itemId: string; result: string }
  | ({ event: 'summary' } & Record<string, number | string>);

/** Shows progress lines as a bar on a terminal, else as plain lines (logs, pipes, CI). */
export class ProgressView {
  private bar?: SingleBar;
  private lastPlainAt = 0;

  constructor(
    private readonly label: string,
    private readonly interactive: boolean,
  ) {}

  update(line: Extract<CommandLine, { event: 'progress' }>): void {
    if (this.interactive) {
      if (!this.bar) {
        this.bar = new SingleBar({ format: `${this.label} [{bar}] {value}/{total} {itemId}` });
        this.bar.start(line.total, 0, { itemId: '' });
      }
      this.bar.update(line.done, { itemId: line.itemId });
      return;
    }
    // Every item on short runs, then about once a second, and always the last one.
    const now = Date.now();
    if (line.total <= 20 || line.done === line.total || now - this.lastPlainAt >= 1000) {
      this.lastPlainAt = now;
      console.log(`${this.label} ${line.done}/${line.total} ${line.itemId} ${line.result}`);
    }
  }

  stop(): void {
    this.bar?.stop();
  }
}

/** Compiled or TypeScript, as `reindexCommand` decides. */
function storedContentCommand(
  command: 'reextract' | 'rerender',
): [executable: string, script: string] {
  const workspace = command === 'reextract' ? 'enrichment' : 'search-indexing';
  const root = dirname(require.resolve(`@curation/${workspace}/package.json`));
  if (__filename.endsWith('.js')) {
    return [process.execPath, join(root, 'dist', 'commands', `${command}.command.js`)];
  }
  return [
    join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx'),
    join(root, 'src', 'commands', `${command}.command.ts`),
  ];
}

/**
 * Runs one of the services' stored-content commands with the environment the CLI found, shows
 * its progress and answers its summary. Its stderr (errors) goes to the CLI's stderr.
 */
export function runStoredContentCommand(
  command: 'reextract' | 'rerender',
  args: string[],
  showProgress: boolean,
): Promise<{ summary: Record<string, number | string>; exitCode: number }> {
  const local = readEndpoints();
  const [executable, script] = storedContentCommand(command);
  const child = spawn(executable, [script, ...args], {
    env: { ...(local ? endpointsToEnv(local) : {}), ...process.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const view = showProgress
    ? new ProgressView(
        command === 'reextract' ? 're-extracting' : 're-rendering',
        process.stdout.isTTY === true,
      )
    : undefined;
  let summary: Record<string, number | string> | undefined;
  createInterface({ input: child.stdout }).on('line', (text) => {
    let line: CommandLine;
    try {
      line = JSON.parse(text) as CommandLine;
    } catch {
      console.log(text);
      return;
    }
    if (line.event === 'progress') view?.update(line);
    else if (line.event === 'summary') {
      summary = Object.fromEntries(Object.entries(line).filter(([key]) => key !== 'event'));
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      view?.stop();
      if (!summary) {
        reject(new Error(`${command} exited with ${code} before its summary`));
        return;
      }
      resolve({ summary, exitCode: code ?? 1 });
    });
  });
}
