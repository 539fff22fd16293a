import 'reflect-metadata';
import { QueueName } from '@curation/contracts';
import { loadConfig } from '@curation/config';
import { jobOptionsOf } from '@curation/queue';
import { createOpenSearchClient } from '@curation/search';
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { enrichmentConfigSchema } from '../config/enrichment.config';
import type { PageFetchJob } from '../page-fetch.job';
import { ItemLinkRepository } from '../repositories/item-link.repository';
import {
  PageFetchQueueRepository,
  pageFetchJobOptions,
} from '../repositories/page-fetch-queue.repository';

const POLL_MS = 500;
const DEFAULT_WAIT_SECONDS = 600;

/** One JSON object per line on stdout: progress while it runs, the summary last. */
function report(line: object): void {
  console.log(JSON.stringify(line));
}

function parseCommandLine(args: string[]) {
  return parseArgs({
    args,
    options: { all: { type: 'boolean' }, 'wait-seconds': { type: 'string' } },
    allowPositionals: true,
  });
}

function usage(): never {
  console.error('usage: reextract.command.ts --all | <itemId> [--wait-seconds <n>]');
  process.exit(2);
}

/**
 * Runs extraction again on the pages kept in S3, through the enrichment workers (the one
 * extraction code path), with no fetch: `npx tsx services/enrichment/src/commands/reextract.command.ts
 * --all | <itemId>`. Each item's latest enriched revision gets a `reextract` job; the new
 * `enriched` event of that same revision flows on to indexing. Waits for the jobs to finish.
 */
async function main(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(args);
  } catch (error) {
    console.error((error as Error).message);
    usage();
  }
  const { values, positionals } = parsed;
  const waitSeconds = Number(values['wait-seconds'] ?? DEFAULT_WAIT_SECONDS);
  const [itemId, ...extra] = positionals;
  if (Boolean(values.all) === Boolean(itemId) || extra.length > 0 || !(waitSeconds > 0)) usage();

  const config = loadConfig(enrichmentConfigSchema);
  const client = createOpenSearchClient(config.OPENSEARCH_URL);
  const queue = new Queue<PageFetchJob>(QueueName.PageFetch, {
    connection: { url: config.REDIS_URL, maxRetriesPerRequest: null },
    prefix: config.QUEUE_PREFIX,
    defaultJobOptions: jobOptionsOf(QueueName.PageFetch, pageFetchJobOptions(config)),
  });
  const links = new ItemLinkRepository(client, config);
  const jobs = new PageFetchQueueRepository(queue);
  try {
    const targets: PageFetchJob[] = [];
    if (itemId) {
      const found = await links.find(itemId);
      if (!found) {
        console.error(`${itemId} is not an enriched item (unknown, removed or never enriched)`);
        return 1;
      }
      targets.push(found);
    } else {
      for await (const page of links.all()) targets.push(...page);
    }

    const runId = randomUUID();
    const pending = new Map<string, PageFetchJob>();
    for (const target of targets) {
      const jobId = await jobs.addReextract({ ...target, trigger: 'reextract' }, runId);
      pending.set(jobId, target);
    }

    const counts: Record<string, number> = {};
    const total = targets.length;
    let done = 0;
    const deadline = Date.now() + waitSeconds * 1000;
    while (pending.size > 0 && Date.now() < deadline) {
      for (const [jobId, target] of pending) {
        const job = await jobs.stateOf(jobId);
        const result =
          job?.state === 'completed'
            ? (job.outcome?.kind ?? 'completed')
            : job?.state === 'failed'
              ? 'failed'
              : undefined;
        if (!result) continue;
        pending.delete(jobId);
        counts[result] = (counts[result] ?? 0) + 1;
        report({ event: 'progress', done: ++done, total, itemId: target.itemId, result });
      }
      if (pending.size > 0) await sleep(POLL_MS);
    }
    report({ event: 'summary', items: total, ...counts, pending: pending.size });
    return pending.size > 0 || counts.failed ? 1 : 0;
  } finally {
    await queue.close();
    await client.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`reextract failed: ${error.message}`);
    process.exit(1);
  },
);
