import { loadConfig } from '@curation/config';
import { ALL_TOPICS, deadLetterTopic } from '@curation/contracts';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { z } from 'zod';
import { findFreePorts } from '../../../infra/src/free-ports';
import { endpointsToEnv, readEndpoints } from '../../../infra/src/infra-runner';
import {
  DEVELOPMENT_DEFAULTS,
  SERVICES,
  spawnService,
  stopProcess,
  type ServiceName,
} from '../../../scripts/pipeline-processes';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const SERVICE_NAMES: ServiceName[] = SERVICES.map((service) => service.name);

/** Every consumer group of a run, after its `<runId>.` prefix: ingestion's write-back has its own. */
export const CONSUMER_GROUPS = [...SERVICE_NAMES, 'ingestion.write-back'];

export const WEBHOOK_SECRET = 'e2e-webhook-secret';

/** Pages and images come from a loopback site: no per-host politeness, no periodic sweep. */
export const LOOPBACK_SOURCE_SETTINGS: Record<string, string> = {
  FETCH_ALLOW_HOSTS: '127.0.0.1,localhost',
  PAGE_FETCH_HOST_INTERVAL_MS: '0',
  IMAGE_FETCH_HOST_INTERVAL_MS: '0',
  OPENPROJECT_SWEEP_INTERVAL_SECONDS: '0',
  SEARCH_INDEX_REPLICAS: '0',
};

/** The variables that point ingestion at a stand-in OpenProject (webhooks signed with WEBHOOK_SECRET). */
export function openProjectEnvironment(
  openProject: { baseUrl: string; apiKey: string },
  typeId: number,
): Record<string, string> {
  return {
    OPENPROJECT_URL: openProject.baseUrl,
    OPENPROJECT_API_KEY: openProject.apiKey,
    OPENPROJECT_WEBHOOK_SECRET: WEBHOOK_SECRET,
    OPENPROJECT_TYPE_ID: String(typeId),
  };
}

const infraEnvironmentSchema = z.object({
  KAFKA_BROKERS: z.string().min(1),
  REDIS_URL: z.string().min(1),
  OPENSEARCH_URL: z.string().min(1),
  S3_ENDPOINT: z.string().min(1),
  S3_ACCESS_KEY_ID: z.string().min(1),
  S3_SECRET_ACCESS_KEY: z.string().min(1),
  S3_REGION: z.string().min(1).default('us-east-1'),
});

export type InfraEnvironment = z.infer<typeof infraEnvironmentSchema>;

/**
 * The real servers, as the services' variables: what the integration global setup exported,
 * else (a bench run outside jest) the infrastructure runner's state file.
 */
export function infraEnvironment(): InfraEnvironment {
  if (process.env.KAFKA_BROKERS) return loadConfig(infraEnvironmentSchema, process.env);
  const endpoints = readEndpoints();
  if (!endpoints) throw new Error('no infrastructure: run `npm run infra:up` first');
  return loadConfig(infraEnvironmentSchema, endpointsToEnv(endpoints));
}

/**
 * The variables that keep one run apart from every other on the shared servers: its own
 * consumer groups, BullMQ keys, bucket, indexes and Redis keys.
 */
export function isolatedEnvironment(runId: string): Record<string, string> {
  return {
    KAFKA_CLIENT_ID_PREFIX: runId,
    QUEUE_PREFIX: runId,
    S3_BUCKET: runId,
    SEARCH_INDEX_ALIAS: `${runId}-content`,
    OFFERINGS_INDEX: `${runId}-offerings`,
    ITEM_LINKS_INDEX: `${runId}-item-links`,
    INGESTION_REDIS_KEY_PREFIX: `${runId}:ingestion`,
  };
}

/**
 * A fresh consumer group reads its topics from the beginning: on a shared broker that would
 * replay every earlier run's items through this run's services. Committing the groups' offsets
 * at the topics' current ends first makes them start with what this run publishes. (kafkajs'
 * `admin.setOffsets` joins the group once per topic, which takes minutes for 4 × 16 topics: one
 * member per group that commits every partition at once takes seconds.)
 */
export async function startGroupsAtTopicEnds(brokers: string[], prefix: string): Promise<void> {
  const kafka = new Kafka({ clientId: `${prefix}-seed`, brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const topics = [...ALL_TOPICS, ...ALL_TOPICS.map(deadLetterTopic)].filter((topic) =>
      existing.has(topic),
    );
    const ends = (
      await Promise.all(
        topics.map(async (topic) =>
          (await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => ({
            topic,
            partition,
            offset: high,
          })),
        ),
      )
    ).flat();
    await Promise.all(
      CONSUMER_GROUPS.map(async (group) => {
        const consumer = kafka.consumer({ groupId: `${prefix}.${group}` });
        const joined = new Promise<void>((resolve) =>
          consumer.on(consumer.events.GROUP_JOIN, () => resolve()),
        );
        await consumer.connect();
        try {
          await consumer.subscribe({ topics, fromBeginning: false });
          // Nothing is resolved, so nothing but the commit below is ever committed.
          await consumer.run({ eachBatchAutoResolve: false, eachBatch: async () => undefined });
          await joined;
          await consumer.commitOffsets(ends);
        } finally {
          await consumer.disconnect();
        }
      }),
    );
  } finally {
    await admin.disconnect();
  }
}

export interface ServiceInstance {
  key: string;
  name: ServiceName;
  port: number;
  url: string;
  child: ChildProcess;
  environment: Record<string, string>;
  /** Highest VmHWM seen over every process this instance ran as (restarts included). */
  peakRssBytes: number;
  starts: number;
  /** Processes that exited before they were live (then started again). */
  failedStarts: number;
  /** Exits while live that nobody asked for (then restarted when supervised). */
  unexpectedExits: number;
}

export interface PipelineOptions {
  environment: Record<string, string>;
  logDir: string;
  /** Instances per service (default 1 each); extra instances join the same consumer group. */
  instances?: Partial<Record<ServiceName, number>>;
  /** Restart a process that exits on its own, as a supervisor (systemd, Kubernetes) would. */
  supervise?: boolean;
  liveTimeoutMs?: number;
}

function portVariable(name: ServiceName): string {
  return SERVICES.find((service) => service.name === name)!.portVariable;
}

/** Peak resident set of a running process (VmHWM), in bytes; 0 once it is gone. */
export function peakRssOf(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export interface UnexpectedExit {
  key: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

/** The four services as separate processes, started, killed and restarted by instance key. */
export class Pipeline {
  readonly instances = new Map<string, ServiceInstance>();
  /** What every instance runs with, but its port. */
  readonly environment: Record<string, string>;
  /** Every exit of a live process that no kill or stop asked for, in order. */
  readonly unexpectedExits: UnexpectedExit[] = [];
  private stopping = false;
  private readonly restarting = new Set<string>();
  private readonly launching = new Set<string>();

  private constructor(private readonly options: PipelineOptions) {
    this.environment = { ...DEVELOPMENT_DEFAULTS, ...options.environment };
  }

  /**
   * A pipeline of its own on the shared servers (see `infraEnvironment`): its consumer groups
   * start at the topics' current ends, everything else is named after `runId`.
   */
  static async startIsolated(
    runId: string,
    options: Omit<PipelineOptions, 'environment' | 'logDir'> & {
      environment?: Record<string, string>;
    },
  ): Promise<Pipeline> {
    const infra = infraEnvironment();
    await startGroupsAtTopicEnds(infra.KAFKA_BROKERS.split(','), runId);
    return Pipeline.start({
      ...options,
      logDir: mkdtempSync(join(tmpdir(), `${runId}-`)),
      environment: { ...infra, ...isolatedEnvironment(runId), ...options.environment },
    });
  }

  static async start(options: PipelineOptions): Promise<Pipeline> {
    const pipeline = new Pipeline(options);
    const plan = SERVICE_NAMES.flatMap((name) =>
      Array.from({ length: options.instances?.[name] ?? 1 }, (_, index) => ({ name, index })),
    );
    const ports = await findFreePorts(plan.length);
    // As `npm start` does: the document links in OpenProject comments point at this pipeline.
    pipeline.environment.SEARCH_PUBLIC_URL ??= `http://127.0.0.1:${ports[plan.findIndex(({ name }) => name === 'search-indexing')]}`;
    for (const [position, { name, index }] of plan.entries()) {
      const port = ports[position];
      const environment = { ...pipeline.environment, [portVariable(name)]: String(port) };
      const key = index === 0 ? name : `${name}#${index + 1}`;
      pipeline.instances.set(key, {
        key,
        name,
        port,
        url: `http://127.0.0.1:${port}`,
        environment,
        child: undefined as unknown as ChildProcess,
        peakRssBytes: 0,
        starts: 0,
        failedStarts: 0,
        unexpectedExits: 0,
      });
    }
    try {
      // Ingestion first: it provisions the topics the others subscribe to.
      await pipeline.launch('ingestion');
      await Promise.all(
        [...pipeline.instances.keys()]
          .filter((key) => key !== 'ingestion')
          .map((key) => pipeline.launch(key)),
      );
    } catch (error) {
      await pipeline.stop();
      throw error;
    }
    return pipeline;
  }

  url(key: string): string {
    const instance = this.instances.get(key);
    if (!instance) throw new Error(`no instance ${key}`);
    return instance.url;
  }

  keysOf(name: ServiceName): string[] {
    return [...this.instances.values()]
      .filter((each) => each.name === name)
      .map((each) => each.key);
  }

  /** SIGKILL: no shutdown hook runs, in-flight work is lost as in a crash. */
  async kill(key: string): Promise<void> {
    const instance = this.instances.get(key)!;
    this.restarting.add(key);
    this.recordPeak(instance);
    const exited = new Promise<void>((resolve) => {
      if (instance.child.exitCode !== null || instance.child.signalCode !== null) resolve();
      else instance.child.once('exit', () => resolve());
    });
    instance.child.kill('SIGKILL');
    await exited;
  }

  async restart(key: string): Promise<void> {
    await this.launch(key);
    this.restarting.delete(key);
  }

  /** Peak RSS per instance so far, in bytes (running processes are read now). */
  peakRss(): Record<string, number> {
    for (const instance of this.instances.values()) this.recordPeak(instance);
    return Object.fromEntries(
      [...this.instances.values()].map((instance) => [instance.key, instance.peakRssBytes]),
    );
  }

  async stop(): Promise<Record<string, number | null>> {
    this.stopping = true;
    this.peakRss();
    const codes = await Promise.all(
      [...this.instances.values()].map(async (instance) => [
        instance.key,
        instance.child ? await stopProcess(instance.child) : null,
      ]),
    );
    return Object.fromEntries(codes);
  }

  private recordPeak(instance: ServiceInstance): void {
    instance.peakRssBytes = Math.max(instance.peakRssBytes, peakRssOf(instance.child?.pid));
  }

  /**
   * Starts the instance and waits until it is live. A process that exits first (a service
   * exits when Kafka does not answer while it boots) is started again a second later, as a
   * supervisor would, until the deadline.
   */
  private async launch(key: string): Promise<void> {
    const instance = this.instances.get(key)!;
    const deadline = Date.now() + (this.options.liveTimeoutMs ?? 120000);
    this.launching.add(key);
    try {
      for (;;) {
        const child = this.spawnInstance(instance);
        if (await this.becomesLive(instance.url, child, deadline)) return;
        instance.failedStarts++;
        if (this.stopping || Date.now() > deadline) {
          throw new Error(`${key} was not live within the deadline; see ${this.options.logDir}`);
        }
        await sleep(1000);
      }
    } finally {
      this.launching.delete(key);
    }
  }

  private spawnInstance(instance: ServiceInstance): ChildProcess {
    const { key } = instance;
    const logFile = join(this.options.logDir, `${key.replace('#', '-')}.log`);
    const child = spawnService(instance.name, instance.environment, logFile);
    instance.child = child;
    instance.starts++;
    // VmHWM is per process: sample while it runs so a later SIGKILL does not lose the figure.
    const sampler = setInterval(() => this.recordPeak(instance), 1000);
    sampler.unref();
    child.once('exit', (code, signal) => {
      clearInterval(sampler);
      if (this.stopping || this.restarting.has(key) || this.launching.has(key)) return;
      if (instance.child !== child) return;
      instance.unexpectedExits++;
      this.unexpectedExits.push({ key, code, signal, at: Date.now() });
      if (this.options.supervise) {
        setTimeout(() => {
          if (!this.stopping && instance.child === child)
            void this.launch(key).catch(() => undefined);
        }, 1000);
      }
    });
    return child;
  }

  /** true once /health/live answers; false when the process exits first or the deadline passes. */
  private async becomesLive(url: string, child: ChildProcess, deadline: number): Promise<boolean> {
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) return false;
      try {
        if ((await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(2000) })).ok)
          return true;
      } catch {
        // not listening yet
      }
      await sleep(300);
    }
    return false;
  }
}
