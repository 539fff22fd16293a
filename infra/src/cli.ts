import { errorMessage } from './errno';
import { stateFiles } from './infra-state';
import { infraDir } from './infra-paths';
import { SERVER_NAMES, infraStatus, startInfra, stopInfra, type ServerName } from './infra-runner';

const USAGE = `usage: tsx infra/src/cli.ts <command>

commands:
  up [--only ${SERVER_NAMES.join(',')}]   start the local servers (reuses running ones)
  down                                     stop the servers started by up
  status                                   check that each server answers (exit 1 if one does not)`;

class UsageError extends Error {}

function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const row of rows)
    console.log(
      row
        .map((cell, column) => cell.padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    );
}

function parseOnly(args: string[]): ServerName[] | undefined {
  if (args.length === 0) return undefined;
  if (args.length !== 2 || args[0] !== '--only')
    throw new UsageError(`unexpected arguments: ${args.join(' ')}`);
  const names = args[1].split(',').filter(Boolean);
  const unknown = names.filter((name) => !(SERVER_NAMES as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0)
    throw new UsageError(`unknown service: ${unknown.join(', ') || '(none)'}`);
  return names as ServerName[];
}

async function up(args: string[]): Promise<number> {
  const only = parseOnly(args);
  const startedAt = Date.now();
  await startInfra({ only, onProgress: (line) => console.log(line) });
  const statuses = await infraStatus();
  console.log(`\nready in ${((Date.now() - startedAt) / 1000).toFixed(1)}s\n`);
  printTable([
    ['service', 'endpoint', 'log'],
    ...statuses
      .filter((status) => status.endpoint !== '')
      .map((status) => [status.name, status.endpoint, status.log]),
  ]);
  const files = stateFiles(infraDir());
  console.log(`\nendpoints: ${files.json}\nenv file:  ${files.env}`);
  return 0;
}

async function down(args: string[]): Promise<number> {
  if (args.length > 0) throw new UsageError(`unexpected arguments: ${args.join(' ')}`);
  await stopInfra({ onProgress: (line) => console.log(line) });
  console.log('all stopped');
  return 0;
}

async function status(args: string[]): Promise<number> {
  if (args.length > 0) throw new UsageError(`unexpected arguments: ${args.join(' ')}`);
  const statuses = await infraStatus();
  printTable([
    ['service', 'state', 'endpoint', 'pid', 'log'],
    ...statuses.map((entry) => [
      entry.name,
      entry.healthy ? 'healthy' : entry.endpoint ? 'unhealthy' : 'not started',
      entry.endpoint,
      entry.pid === undefined ? '' : String(entry.pid),
      entry.log,
    ]),
  ]);
  return statuses.every((entry) => entry.healthy) ? 0 : 1;
}

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = { up, down, status };

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  try {
    if (!command)
      throw new UsageError(name === undefined ? 'missing command' : `unknown command: ${name}`);
    return await command(args);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    console.error(`error: ${errorMessage(error)}`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
