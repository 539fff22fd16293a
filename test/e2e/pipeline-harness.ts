import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { findFreePorts } from '../../infra/src/free-ports';
import {
  SERVICES,
  spawnService,
  stopProcess,
  waitUntilLive,
  type ServiceName,
} from '../../scripts/pipeline-processes';
import { eventually, testEnvironment, uniqueName } from '../support/test-environment';

export const WEBHOOK_SECRET = 'e2e-webhook-secret';

/**
 * The four services as separate processes against the real servers, isolated from other tests
 * by their own consumer groups (started at the end of every topic), bucket, indexes and
 * Redis prefixes.
 */
export class PipelineHarness {
  readonly prefix = uniqueName('e2e');
  readonly bucket = this.prefix;
  readonly logDir = mkdtempSync(join(tmpdir(), 'pipeline-e2e-'));
  private readonly children = new Map<ServiceName, ChildProcess>();
  private readonly ports = new Map<ServiceName, number>();
  private environment: Record<string, string> = {};

  url(name: ServiceName): string {
    return `http://127.0.0.1:${this.ports.get(name)}`;
  }

  async start(extra: {
    openProjectUrl: string;
    openProjectApiKey: string;
    typeId: number;
    /** More service variables, e.g. `OPENPROJECT_PUBLISH_STATUSES`. */
    environment?: Record<string, string>;
  }): Promise<void> {
    const infra = testEnvironment();
    const ports = await findFreePorts(SERVICES.length);
    SERVICES.forEach(({ name }, index) => this.ports.set(name, ports[index]));
    this.environment = {
      ...(process.env as Record<string, string>),
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      KAFKA_CLIENT_ID_PREFIX: this.prefix,
      KAFKA_RETRY_INITIAL_DELAY_MS: '100',
      KAFKA_NEW_GROUP_START: 'latest',
      S3_BUCKET: this.bucket,
      QUEUE_PREFIX: this.prefix,
      INGESTION_REDIS_KEY_PREFIX: `${this.prefix}:ingestion`,
      OPENPROJECT_URL: extra.openProjectUrl,
      OPENPROJECT_API_KEY: extra.openProjectApiKey,
      OPENPROJECT_WEBHOOK_SECRET: WEBHOOK_SECRET,
      OPENPROJECT_TYPE_ID: String(extra.typeId),
      OPENPROJECT_SWEEP_INTERVAL_SECONDS: '0',
      ADMIN_PASSWORD: 'e2e-admin-password',
      FETCH_ALLOW_HOSTS: '127.0.0.1,localhost',
      PAGE_FETCH_HOST_INTERVAL_MS: '0',
      IMAGE_FETCH_HOST_INTERVAL_MS: '0',
      PAGE_FETCH_ATTEMPTS: '2',
      PAGE_FETCH_BACKOFF_MS: '200',
      OFFERINGS_INDEX: `${this.prefix}-offerings`,
      ITEM_LINKS_INDEX: `${this.prefix}-item-links`,
      RELINK_DELAY_MS: '200',
      SEARCH_INDEX_ALIAS: `${this.prefix}-curated-content`,
      SEARCH_INDEX_REPLICAS: '0',
      ...Object.fromEntries(
        SERVICES.map(({ name, portVariable }) => [portVariable, String(this.ports.get(name))]),
      ),
      SEARCH_PUBLIC_URL: this.url('search-indexing'),
      ...extra.environment,
    };
    for (const { name } of SERVICES) this.spawn(name);
    await Promise.all(
      SERVICES.map(({ name }) => waitUntilLive(`${this.url(name)}/health/live`, 120000)),
    );
    await this.waitForStableGroups(infra.KAFKA_BROKERS);
  }

  /**
   * The groups start at the end of the shared topics (other tests' events stay there), so the
   * pipeline is ready only once every group has joined and holds its partitions.
   */
  private async waitForStableGroups(brokers: string[]): Promise<void> {
    const admin = new Kafka({
      clientId: `${this.prefix}-setup`,
      brokers,
      logLevel: logLevel.ERROR,
    }).admin();
    await admin.connect();
    try {
      const groupIds = [
        ...SERVICES.map(({ name }) => `${this.prefix}.${name}`),
        // ingestion's write-back follows indexed/failed/removed in a group of its own.
        `${this.prefix}.ingestion.write-back`,
      ];
      await eventually(async () => {
        const { groups } = await admin.describeGroups(groupIds);
        const stable = groups.every(
          (group) => group.state === 'Stable' && group.members.length > 0,
        );
        return stable ? true : undefined;
      }, 120000);
    } finally {
      await admin.disconnect();
    }
  }

  spawn(name: ServiceName): ChildProcess {
    const child = spawnService(name, this.environment, join(this.logDir, `${name}.log`));
    this.children.set(name, child);
    return child;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.children.values()].map((child) => stopProcess(child)));
  }
}
