import { ALL_TOPICS, type Topic } from '@curation/contracts';
import { SingleBar } from 'cli-progress';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { UsageError, cliContext, cliKafka, ingestionHeaders, printTable } from './cli-context';
import { readDeadLetters, replayDeadLetters, resolveDeadLetterTopics } from './dead-letters';
import {
  failedItems,
  retryAll,
  retryOne,
  runReindex,
  runStoredContentCommand,
  type ItemSummary,
} from './item-operations';
import { lagTable, queueTable, rewindGroup } from './pipeline-summary';

const SERVICES = ['ingestion', 'enrichment', 'image-processing', 'search-indexing'];
const OFFERINGS_PER_REQUEST = 200;

async function ingestionApi(path: string, init?: RequestInit): Promise<unknown> {
  const context = cliContext();
  const response = await fetch(`${context.ingestionUrl}${path}`, {
    ...init,
    headers: ingestionHeaders(context, init?.headers),
  });
  const body = await response.text();
  if (!response.ok)
    throw new Error(`${init?.method ?? 'GET'} ${path} answered ${response.status}: ${body}`);
  return body ? JSON.parse(body) : undefined;
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new InvalidArgumentError('a whole number above 0');
  return parsed;
}

function isoTime(value: string): number {
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new InvalidArgumentError('an ISO date-time, e.g. 2026-11-28T10:00:00Z');
  return time;
}

function uuid(value: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value))
    throw new UsageError(`${value} is not an itemId (a UUID)`);
  return value;
}

function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

function printItems(found: ItemSummary[]): void {
  printTable([
    ['itemId', 'state', 'stage', 'revision', 'attempt', 'updated', 'title / last error'],
    ...found.map((item) => [
      item.itemId,
      item.state,
      item.stage,
      String(item.revision),
      String(item.attempt ?? 1),
      item.updatedAt,
      item.lastError?.reason ?? item.title ?? '',
    ]),
  ]);
}

/** `3 item(s): enriched 2, skipped 1, pending 0` from a command's summary. */
function describeSummary(unit: string, summary: Record<string, number | string>): string {
  const { items, documents, ...counts } = summary;
  const parts = Object.entries(counts).map(([name, count]) => `${name} ${count}`);
  return `${items ?? documents ?? 0} ${unit}: ${parts.join(', ')}`;
}

function partitionOffset(value: string, previous: string[] = []): string[] {
  if (!/^\d+:\d+$/.test(value)) throw new InvalidArgumentError('partition:offset, e.g. 0:12');
  return [...previous, value];
}

export function buildProgram(): Command {
  const program = new Command('curation')
    .description('Operate the curation pipeline: items, dead letters, replays, offerings, queues.')
    .exitOverride()
    .showHelpAfterError();

  const items = program.command('items').description('item status, built from the pipeline events');
  items
    .command('list')
    .description('list items in one state: failed ones unless --state says otherwise')
    .addOption(
      new Option('--state <state>', 'item state')
        .choices(['in-progress', 'completed', 'failed', 'removed', 'duplicate'])
        .default('failed'),
    )
    .option('--limit <n>', 'how many', positiveInteger, 50)
    .action(async (options: { state: string; limit: number }) => {
      const { items: found } = (await ingestionApi(
        `/v1/items?state=${options.state}&limit=${options.limit}`,
      )) as {
        items: Array<{
          itemId: string;
          stage: string;
          revision: number;
          updatedAt: string;
          lastError?: { reason: string };
          title?: string;
        }>;
      };
      console.log(`${found.length} ${options.state} item(s), newest first (--state chooses)`);
      printTable([
        ['itemId', 'stage', 'revision', 'updated', 'title / last error'],
        ...found.map((item) => [
          item.itemId,
          item.stage,
          String(item.revision),
          item.updatedAt,
          item.lastError?.reason ?? item.title ?? '',
        ]),
      ]);
    });
  items
    .command('show <itemId>')
    .description('show one item: stages, durations, last error')
    .action(async (itemId: string) =>
      console.log(
        JSON.stringify(await ingestionApi(`/v1/items/${encodeURIComponent(itemId)}`), null, 2),
      ),
    );

  items
    .command('find')
    .description('the item(s) of an OpenProject work package')
    .requiredOption('--work-package <id>', 'work package id', positiveInteger)
    .option('--json', 'print the answer as JSON')
    .action(async (options: { workPackage: number; json?: boolean }) => {
      const { items: found } = (await ingestionApi(
        `/v1/items?workPackageId=${options.workPackage}`,
      )) as { items: ItemSummary[] };
      if (options.json) return printJson({ items: found });
      if (found.length === 0)
        throw new UsageError(`no item of work package ${options.workPackage}`);
      printItems(found);
    });
  items
    .command('retry [itemId]')
    .description('run a failed item again from the stage that failed (same revision, new attempt)')
    .addOption(new Option('--state <state>', 'retry every item in this state').choices(['failed']))
    .option('--since <iso>', 'with --state: only items that failed at or after this time', isoTime)
    .option('--json', 'print the outcome as JSON')
    .action(
      async (
        itemId: string | undefined,
        options: { state?: string; since?: number; json?: boolean },
      ) => {
        if (!itemId === !options.state)
          throw new UsageError('give either an itemId or --state failed');
        if (itemId) {
          const result = await retryOne(uuid(itemId));
          if (options.json) printJson(result);
          else
            console.log(
              `${result.itemId}: ${result.outcome}${result.detail ? ` (${result.detail})` : ''}`,
            );
          if (result.outcome !== 'started') process.exitCode = 1;
          return;
        }
        const results = await retryAll(await failedItems(options.since), !options.json);
        const started = results.filter((result) => result.outcome === 'started').length;
        if (options.json) return printJson({ started, results });
        printTable([
          ['itemId', 'outcome', 'detail'],
          ...results.map((result) => [result.itemId, result.outcome, result.detail ?? '']),
        ]);
        console.log(`${started} of ${results.length} failed item(s) started again`);
      },
    )
    .addHelpText('after', '\nA retry of an item that is not failed answers 409 with its state.');
  items
    .command('remove <itemId>')
    .description('take an item down: search document, Markdown, renditions and manifest go')
    .option('--json', 'print the answer as JSON')
    .action(async (itemId: string, options: { json?: boolean }) => {
      const answer = (await ingestionApi(`/v1/items/${encodeURIComponent(uuid(itemId))}`, {
        method: 'DELETE',
      })) as { itemId: string; revision: number };
      if (options.json) return printJson(answer);
      console.log(`${answer.itemId}: removal of revision ${answer.revision} accepted`);
    });

  items
    .command('reextract [itemId]')
    .description(
      'extract again from the pages kept in S3 (no fetch); the new result flows on to indexing ' +
        'in the bulk lane (live items go first)',
    )
    .option('--all', 'every enriched item')
    .option('--wait-seconds <n>', 'give up waiting for the jobs after this long', positiveInteger)
    .option('--json', 'print the summary as JSON')
    .action(
      async (
        itemId: string | undefined,
        options: { all?: boolean; waitSeconds?: number; json?: boolean },
      ) => {
        if (!itemId === !options.all) throw new UsageError('give either an itemId or --all');
        const { summary, exitCode } = await runStoredContentCommand(
          'reextract',
          [
            ...(itemId ? [uuid(itemId)] : ['--all']),
            ...(options.waitSeconds ? ['--wait-seconds', String(options.waitSeconds)] : []),
          ],
          !options.json,
        );
        if (options.json) printJson(summary);
        else console.log(describeSummary('item(s)', summary));
        if (exitCode !== 0) throw new Error(`did not finish cleanly (exit code ${exitCode})`);
      },
    )
    .addHelpText(
      'after',
      '\nPrints one line per item (a progress bar on a terminal), then e.g.\n' +
        '"3 item(s): enriched 2, skipped 1, pending 0" (skipped: no page kept for that revision;\n' +
        'duplicate: the page now names an article another item publishes).',
    );
  items
    .command('rerender')
    .description(
      'apply the current content types and renderer to every indexed document and its Markdown',
    )
    .option('--all', 'every indexed document (the default; there is no other selection)')
    .option('--json', 'print the summary as JSON')
    .action(async (options: { json?: boolean }) => {
      const { summary, exitCode } = await runStoredContentCommand('rerender', [], !options.json);
      if (options.json) printJson(summary);
      else console.log(describeSummary('document(s)', summary));
      if (exitCode !== 0) throw new Error(`did not finish cleanly (exit code ${exitCode})`);
    })
    .addHelpText(
      'after',
      '\nPrints e.g. "12 document(s): rewritten 1, unchanged 11, newer-in-storage 0"; a Markdown\n' +
        'document equal to its rendering is not written, so a second run rewrites nothing.',
    );

  program
    .command('reconcile')
    .description('compare OpenProject with what was published, and re-drive what differs, now')
    .option('--json', 'print the sweep report as JSON')
    .action(async (options: { json?: boolean }) => {
      const report = await ingestionApi('/v1/reconcile', { method: 'POST' });
      if (options.json) return printJson(report);
      console.log(JSON.stringify(report, null, 2));
    });

  program
    .command('reindex')
    .description('rebuild the search index into a new version and move the alias to it')
    .option('--delete-old', 'delete the previous index version afterwards')
    .option('--json', 'print the outcome as JSON')
    .action(async (options: { deleteOld?: boolean; json?: boolean }) => {
      const outcome = await runReindex(options.deleteOld ?? false);
      if (options.json) return printJson(outcome);
      console.log(JSON.stringify(outcome, null, 2));
    });

  const dlq = program.command('dlq').description('dead-lettered messages');
  dlq
    .command('list [topic]')
    .description('list dead letters of one topic, or of all')
    .action(async (topic: string | undefined) => {
      const kafka = cliKafka(cliContext());
      const rows = [
        ['topic', 'partition:offset', 'key', 'service', 'attempts', 'failed at', 'reason'],
      ];
      for (const name of resolveDeadLetterTopics(topic)) {
        for (const letter of await readDeadLetters(kafka, name)) {
          rows.push([
            name,
            `${letter.partition}:${letter.offset}`,
            letter.key ?? '',
            letter.service ?? '',
            letter.attempts ?? '',
            letter.failedAt ?? '',
            letter.reason ?? '',
          ]);
        }
      }
      printTable(rows);
    });
  dlq
    .command('show <topic> <position>')
    .description('print one dead letter (position = partition:offset) with its headers and value')
    .action(async (topic: string, position: string) => {
      partitionOffset(position);
      const [name] = resolveDeadLetterTopics(topic);
      const letter = (await readDeadLetters(cliKafka(cliContext()), name)).find(
        (each) => `${each.partition}:${each.offset}` === position,
      );
      if (!letter) throw new UsageError(`no dead letter at ${position} in ${name}`);
      const headers = Object.fromEntries(
        Object.entries(letter.message.headers ?? {}).map(([key, value]) => [
          key,
          value?.toString(),
        ]),
      );
      console.log(
        JSON.stringify(
          { ...letter, message: undefined, headers, value: letter.message.value?.toString() },
          null,
          2,
        ),
      );
    });
  dlq
    .command('replay <topic>')
    .description('send dead letters back to the topic they failed on (after the cause is fixed)')
    .option('--offset <partition:offset>', 'one letter to replay (repeatable)', partitionOffset)
    .option('--all', 'replay every letter of the topic')
    .action(async (topic: string, options: { offset?: string[]; all?: boolean }) => {
      if (!options.all === !options.offset)
        throw new UsageError('give either --all or one or more --offset');
      const kafka = cliKafka(cliContext());
      const [name] = resolveDeadLetterTopics(topic);
      const letters = (await readDeadLetters(kafka, name)).filter(
        (letter) => options.all || options.offset!.includes(`${letter.partition}:${letter.offset}`),
      );
      if (letters.length === 0) throw new UsageError(`nothing to replay in ${name}`);
      console.log(`replayed ${await replayDeadLetters(kafka, letters)} message(s) from ${name}`);
    });

  program
    .command('replay <topic>')
    .description("rewind a service's consumer group on a topic (stop that service first)")
    .addOption(
      new Option('--service <service>', 'whose consumer group')
        .choices(SERVICES)
        .makeOptionMandatory(),
    )
    .option('--from-time <iso>', 'from the first message at or after this time', isoTime)
    .option('--from-offset <n>', 'from this offset on every partition')
    .action(
      async (
        topic: string,
        options: { service: string; fromTime?: number; fromOffset?: string },
      ) => {
        if (!(ALL_TOPICS as readonly string[]).includes(topic))
          throw new UsageError(`unknown topic ${topic}`);
        if ((options.fromTime === undefined) === (options.fromOffset === undefined)) {
          throw new UsageError('give exactly one of --from-time and --from-offset');
        }
        if (options.fromOffset !== undefined && !/^\d+$/.test(options.fromOffset))
          throw new UsageError('--from-offset takes a whole number');
        const context = cliContext();
        const groupId = `${context.clientIdPrefix}.${options.service}`;
        await rewindGroup(cliKafka(context), groupId, topic as Topic, {
          time: options.fromTime,
          offset: options.fromOffset,
        });
        console.log(
          `${groupId} will consume ${topic} again from there when ${options.service} starts`,
        );
      },
    );

  program
    .command('offerings')
    .description('the offerings catalogue')
    .command('load <file>')
    .description('load offerings from an NDJSON file (one offering per line) through ingestion')
    .action(async (file: string) => {
      const lines = readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.trim());
      const offerings = lines.map((line, index) => {
        try {
          return JSON.parse(line) as unknown;
        } catch {
          throw new UsageError(`${file}:${index + 1} is not JSON`);
        }
      });
      const progress = new SingleBar({ format: 'loading [{bar}] {value}/{total}' });
      progress.start(offerings.length, 0);
      try {
        for (let start = 0; start < offerings.length; start += OFFERINGS_PER_REQUEST) {
          const chunk = offerings.slice(start, start + OFFERINGS_PER_REQUEST);
          await ingestionApi('/v1/offerings', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(chunk),
          });
          progress.increment(chunk.length);
        }
      } finally {
        progress.stop();
      }
    });

  program
    .command('queues')
    .description('queue depths and consumer lag')
    .action(async () => {
      const context = cliContext();
      printTable(await queueTable(context.redisUrl, context.queuePrefix));
      console.log();
      printTable(await lagTable(cliKafka(context), context.clientIdPrefix));
    });

  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}`);
      return 2;
    }
    console.error(`failed: ${(error as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
