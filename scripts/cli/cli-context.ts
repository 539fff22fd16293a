import { Kafka, logLevel } from 'kafkajs';
import { endpointsToEnv, readEndpoints } from '../../infra/src/infra-runner';

/** Where the CLI finds the pipeline: the environment first, else the local runner's endpoints. */
export interface CliContext {
  kafkaBrokers: string[];
  redisUrl: string;
  ingestionUrl: string;
  clientIdPrefix: string;
}

export class UsageError extends Error {}

export function cliContext(): CliContext {
  const local = readEndpoints();
  const environment = { ...(local ? endpointsToEnv(local) : {}), ...process.env };
  if (!environment.KAFKA_BROKERS || !environment.REDIS_URL) {
    throw new UsageError(
      'set KAFKA_BROKERS and REDIS_URL, or start the local infrastructure (npm run infra:up)',
    );
  }
  return {
    kafkaBrokers: environment.KAFKA_BROKERS.split(',').map((broker) => broker.trim()),
    redisUrl: environment.REDIS_URL,
    ingestionUrl:
      environment.INGESTION_URL ?? `http://127.0.0.1:${environment.INGESTION_PORT ?? 3100}`,
    clientIdPrefix: environment.KAFKA_CLIENT_ID_PREFIX ?? 'curation',
  };
}

export function cliKafka(context: CliContext): Kafka {
  return new Kafka({
    clientId: `${context.clientIdPrefix}.cli`,
    brokers: context.kafkaBrokers,
    logLevel: logLevel.ERROR,
  });
}

export function printTable(rows: string[][]): void {
  if (rows.length === 0) return;
  const widths = rows[0].map((_, column) =>
    Math.max(...rows.map((row) => (row[column] ?? '').length)),
  );
  for (const row of rows) {
    console.log(
      row
        .map((cell, column) => (cell ?? '').padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    );
  }
}
