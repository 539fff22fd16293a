import fs from 'node:fs';
import path from 'node:path';
import { isAlive } from './processes';
import { S3_CREDENTIALS } from './s3proxy.server';
import type { InfraEndpoints, ServerName, ServiceRecord } from './service';

export type ServiceRecords = Partial<Record<ServerName, ServiceRecord>>;

interface StateFile extends InfraEndpoints {
  services: ServiceRecords;
}

const STATE_FILE = 'endpoints.json';
const ENV_FILE = 'endpoints.env';

/** Services not started (see `startInfra({ only })`) have an empty endpoint. */
export function endpointsOf(services: ServiceRecords): InfraEndpoints {
  return {
    kafkaBrokers: services.kafka?.endpoint ?? '',
    redisUrl: services.redis?.endpoint ?? '',
    opensearchUrl: services.opensearch?.endpoint ?? '',
    s3Endpoint: services.s3?.endpoint ?? '',
    s3AccessKeyId: S3_CREDENTIALS.accessKeyId,
    s3SecretAccessKey: S3_CREDENTIALS.secretAccessKey,
    s3Region: S3_CREDENTIALS.region,
  };
}

export function endpointsToEnv(endpoints: InfraEndpoints): Record<string, string> {
  const env: Record<string, string> = {
    KAFKA_BROKERS: endpoints.kafkaBrokers,
    REDIS_URL: endpoints.redisUrl,
    OPENSEARCH_URL: endpoints.opensearchUrl,
    S3_ENDPOINT: endpoints.s3Endpoint,
    S3_ACCESS_KEY_ID: endpoints.s3AccessKeyId,
    S3_SECRET_ACCESS_KEY: endpoints.s3SecretAccessKey,
    S3_REGION: endpoints.s3Region,
  };
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
}

export function readServiceRecords(stateDir: string): ServiceRecords {
  try {
    const state = JSON.parse(fs.readFileSync(path.join(stateDir, STATE_FILE), 'utf8')) as StateFile;
    return state.services ?? {};
  } catch {
    return {};
  }
}

export function allRecordedProcessesAlive(services: ServiceRecords): boolean {
  const records = Object.values(services);
  return records.length > 0 && records.every((record) => isAlive(record.pid));
}

function writeAtomically(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, content);
  fs.renameSync(temporary, file);
}

export function writeServiceRecords(stateDir: string, services: ServiceRecords): void {
  if (Object.keys(services).length === 0) {
    clearServiceRecords(stateDir);
    return;
  }
  fs.mkdirSync(stateDir, { recursive: true });
  const endpoints = endpointsOf(services);
  const state: StateFile = { ...endpoints, services };
  writeAtomically(path.join(stateDir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
  const envLines = Object.entries(endpointsToEnv(endpoints)).map(
    ([key, value]) => `${key}=${value}`,
  );
  writeAtomically(path.join(stateDir, ENV_FILE), `${envLines.join('\n')}\n`);
}

export function clearServiceRecords(stateDir: string): void {
  fs.rmSync(path.join(stateDir, STATE_FILE), { force: true });
  fs.rmSync(path.join(stateDir, ENV_FILE), { force: true });
}

export function stateFiles(stateDir: string): { json: string; env: string } {
  return { json: path.join(stateDir, STATE_FILE), env: path.join(stateDir, ENV_FILE) };
}
