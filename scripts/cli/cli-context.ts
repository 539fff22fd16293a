import { Kafka, logLevel } from 'kafkajs';
import { endpointsToEnv, readEndpoints } from '../../infra/src/infra-runner';

/** Where the CLI finds the pipeline: the environment first, else the local runner's endpoints. */
export interface CliContext {
  kafkaBrokers: string[];
  redisUrl: string;
  ingestionUrl: string;
  /** Sent as `Authorization: Bearer` to ingestion's `/v1/*` when set. */
  ingestionApiToken?: string;
  clientIdPrefix: string;
  /** BullMQ key prefix of the pipeline's queues (`QUEUE_PREFIX`, default `bull`). */
  queuePrefix: string;
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
    ingestionApiToken: environment.INGESTION_API_TOKEN || undefined,
    clientIdPrefix: environment.KAFKA_CLIENT_ID_PREFIX ?? 'curation',
    queuePrefix: environment.QUEUE_PREFIX ?? 'bull',
  };
}

/** The headers of a call to ingestion's API: the caller's, plus the token when there is one. */
export function ingestionHeaders(
  context: Pick<CliContext, 'ingestionApiToken'>,
  headers?: RequestInit['headers'],
): Headers {
  const merged = new Headers(headers);
  if (context.ingestionApiToken) {
    merged.set('authorization', `Bearer ${context.ingestionApiToken}`);
  }
  return merged;
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
