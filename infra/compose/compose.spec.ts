/* eslint-disable @typescript-eslint/no-restricted-imports -- compose must satisfy each service's own config schema */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { telemetryConfigSchema, tracesEndpointOf } from '@curation/telemetry';
import { parse } from 'yaml';
import type { ZodType } from 'zod';
import { KAFKA_VERSION } from '../src/kafka.server';
import { OPENSEARCH_VERSIONS } from '../src/opensearch.server';
import { S3PROXY_VERSIONS } from '../src/s3proxy.server';
import { SERVICES } from '../../scripts/pipeline-processes';
import { enrichmentConfigSchema } from '../../services/enrichment/src/config/enrichment.config';
import { imageProcessingConfigSchema } from '../../services/image-processing/src/config/image-processing.config';
import { ingestionConfigSchema } from '../../services/ingestion/src/config/ingestion.config';
import { searchIndexingConfigSchema } from '../../services/search-indexing/src/config/search-indexing.config';
import { curatedContentIndexTemplate } from '../../services/search-indexing/src/repositories/curated-content.index-template';

const repoRoot = resolve(__dirname, '..', '..');
const composeFile = join(repoRoot, 'docker-compose.yml');
const composeText = readFileSync(composeFile, 'utf8');

type Port = string | { target: number; published?: string | number; host_ip?: string };
interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  environment?: Record<string, string | number | boolean | null>;
  ports?: Port[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/**
 * Compose's interpolation with an empty environment and no `.env`: `${VAR:-default}` and
 * `${VAR-default}` give the default, `${VAR}` gives ''. Any other form fails the test, so a new
 * syntax is added here on purpose rather than read wrongly.
 */
function interpolateWithoutEnvironment(text: string): string {
  return text.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)(.*))?$/.exec(inner);
    if (!match) throw new Error(`unsupported interpolation ${whole}`);
    return match[3] ?? '';
  });
}

const interpolatedVariables = [...composeText.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map(
  (match) => match[1],
);
const compose = parse(interpolateWithoutEnvironment(composeText), { merge: true }) as ComposeFile;
const service = (name: string): ComposeService => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};

/** Environment values as a container gets them: strings. */
function environmentOf(name: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service(name).environment ?? {}).map(([key, value]) => [
      key,
      value === null ? '' : String(value),
    ]),
  );
}

const imageTag = (image: string) => image.slice(image.lastIndexOf(':') + 1);

/** `./path:/container/path[:ro]` volumes: [host path, container path]. */
function bindMounts(name: string): Array<[string, string]> {
  return (service(name).volumes ?? [])
    .filter((volume) => volume.startsWith('./'))
    .map((volume) => {
      const [source, target] = volume.split(':');
      return [join(repoRoot, source), target];
    });
}

function hostPathMountedAt(name: string, containerPath: string): string {
  const mount = bindMounts(name).find(([, target]) => target === containerPath);
  if (!mount) throw new Error(`${name} mounts nothing at ${containerPath}`);
  return mount[0];
}

const SCHEMAS: Record<string, ZodType> = {
  ingestion: ingestionConfigSchema,
  enrichment: enrichmentConfigSchema,
  'image-processing': imageProcessingConfigSchema,
  'search-indexing': searchIndexingConfigSchema,
};

/** Variables the schema cannot do without: those an empty environment is refused for. */
function requiredVariables(schema: ZodType): string[] {
  const result = schema.safeParse({});
  return result.success ? [] : result.error.issues.map((issue) => String(issue.path[0]));
}

describe('docker-compose.yml', () => {
  it.each(SERVICES.map((each) => [each.name, each]))(
    '%s is built from the service image on its own port, published on loopback',
    (name, pipelineService) => {
      const { build, ports } = service(name);
      expect(build).toEqual({
        context: '.',
        dockerfile: 'infra/docker/service.Dockerfile',
        args: { SERVICE: name, PORT: String(pipelineService.defaultPort) },
      });
      expect(ports).toEqual([
        `127.0.0.1:${pipelineService.defaultPort}:${pipelineService.defaultPort}`,
      ]);
    },
  );

  it.each(Object.keys(SCHEMAS))(
    '%s gets every variable its config schema requires, with values it accepts (no .env)',
    (name) => {
      const environment = environmentOf(name);
      const required = requiredVariables(SCHEMAS[name]);
      expect(required.length).toBeGreaterThan(0);
      expect(required.filter((variable) => !(variable in environment))).toEqual([]);
      const parsed = SCHEMAS[name].safeParse(environment);
      expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    },
  );

  it('runs the services as the image does (production), with the secrets production requires', () => {
    const environment = environmentOf('ingestion');
    expect(environment.NODE_ENV).toBe('production');
    expect(environment.DEVELOPMENT_MODE).toBeUndefined();
    for (const secret of [
      'OPENPROJECT_WEBHOOK_SECRET',
      'OPENPROJECT_API_KEY',
      'INGESTION_API_TOKEN',
      'ADMIN_PASSWORD',
    ]) {
      expect({ secret, value: environment[secret] }).toEqual({
        secret,
        value: expect.stringMatching(/^development-/),
      });
    }
  });

  it('documents every variable it reads from .env in .env.example', () => {
    const example = readFileSync(join(repoRoot, '.env.example'), 'utf8');
    expect(interpolatedVariables.length).toBeGreaterThan(0);
    const undocumented = [...new Set(interpolatedVariables)].filter(
      (variable) => !new RegExp(`^#?\\s*${variable}=`, 'm').test(example),
    );
    expect(undocumented).toEqual([]);
  });

  it('pins every image to a full version tag (major.minor.patch) or a digest', () => {
    const images = Object.entries(compose.services)
      .filter(([, each]) => each.image)
      .map(([name, each]) => [name, each.image!] as const);
    expect(images.length).toBeGreaterThanOrEqual(10);
    // `redis:7` or `latest` move under you; `7.0.15-bookworm` and `v1.5.0` do not.
    const unpinned = images.filter(
      ([, image]) =>
        !image.includes('@sha256:') &&
        (!/:[^/]+$/.test(image) || !/\d+\.\d+\.\d+/.test(imageTag(image))),
    );
    expect(unpinned).toEqual([]);
    const unnamed = Object.entries(compose.services)
      .filter(([, each]) => !each.image && !each.build)
      .map(([name]) => name);
    expect(unnamed).toEqual([]);
  });

  it('publishes every port on loopback only', () => {
    const published = Object.entries(compose.services).flatMap(([name, each]) =>
      (each.ports ?? []).map((port) => [name, port] as const),
    );
    expect(published.length).toBeGreaterThanOrEqual(8);
    const open = published.filter(([, port]) =>
      typeof port === 'string' ? !port.startsWith('127.0.0.1:') : port.host_ip !== '127.0.0.1',
    );
    expect(open).toEqual([]);
  });

  it('keeps the Kafka log on the volume', () => {
    const kafka = service('kafka');
    const logDirs = environmentOf('kafka').KAFKA_LOG_DIRS;
    expect(logDirs).toBeTruthy();
    const namedVolumeTargets = (kafka.volumes ?? [])
      .filter((volume) => !volume.startsWith('.') && !volume.startsWith('/'))
      .map((volume) => volume.split(':')[1]);
    expect(namedVolumeTargets).toContain(logDirs);
    expect(Object.keys(compose.volumes ?? {})).toContain(
      kafka.volumes!.find((volume) => volume.endsWith(`:${logDirs}`))!.split(':')[0],
    );
  });

  it("runs the native runner's versions of Kafka, OpenSearch and S3Proxy", () => {
    expect(service('kafka').image).toBe(`apache/kafka:${KAFKA_VERSION}`);
    // The runner's first choice; it falls back to the older patch only when a download fails.
    expect(service('opensearch').image).toBe(
      `opensearchproject/opensearch:${OPENSEARCH_VERSIONS[0]}`,
    );
    expect(service('opensearch-dashboards').image).toBe(
      `opensearchproject/opensearch-dashboards:${OPENSEARCH_VERSIONS[0]}`,
    );
    expect(service('s3').image).toBe(`andrewgaul/s3proxy:s3proxy-${S3PROXY_VERSIONS[0]}`);
    expect(environmentOf('s3').JCLOUDS_PROVIDER).toBe('filesystem');
  });

  it('runs the Redis release the native runner installs on this machine, when it is installed', () => {
    const redisImageVersion = /^redis:(\d+\.\d+)\./.exec(service('redis').image!)?.[1];
    expect(redisImageVersion).toBeTruthy();
    const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      console.warn('redis-server is not installed here: its version was not compared');
      return;
    }
    expect(/v=(\d+\.\d+)\./.exec(probe.stdout)?.[1]).toBe(redisImageVersion);
  });

  it("points the services at the stack's own servers, with the S3 server's credentials", () => {
    const environment = environmentOf('ingestion');
    const s3 = environmentOf('s3');
    expect(new URL(environment.S3_ENDPOINT).host).toBe(`s3:${new URL(s3.S3PROXY_ENDPOINT).port}`);
    expect([environment.S3_ACCESS_KEY_ID, environment.S3_SECRET_ACCESS_KEY]).toEqual([
      s3.S3PROXY_IDENTITY,
      s3.S3PROXY_CREDENTIAL,
    ]);
    expect(environment.KAFKA_BROKERS).toBe('kafka:9092');
    expect(environmentOf('kafka').KAFKA_ADVERTISED_LISTENERS).toContain('PLAINTEXT://kafka:9092');
    expect(environmentOf('kafka-ui').KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS).toBe('kafka:9092');
    expect(new URL(environment.OPENSEARCH_URL).host).toBe('opensearch:9200');
    expect(new URL(environment.REDIS_URL).host).toBe('redis:6379');
    expect(new URL(environment.INGESTION_URL).host).toBe(`ingestion:${SERVICES[0].defaultPort}`);
    expect(service('jaeger').image).toMatch(/^jaegertracing\/jaeger:2\./);
  });

  it.each(SERVICES.map((each) => each.name))(
    '%s exports its traces to Jaeger (OTLP over HTTP)',
    (name) => {
      const endpoint = tracesEndpointOf(telemetryConfigSchema.parse(environmentOf(name)));
      expect(endpoint && new URL(endpoint).host).toBe('jaeger:4318');
    },
  );

  it('holds no replica on the single OpenSearch node', () => {
    const parsed = searchIndexingConfigSchema.parse(environmentOf('search-indexing'));
    expect(parsed.SEARCH_INDEX_REPLICAS).toBe(0);
    expect(environmentOf('opensearch')['discovery.type']).toBe('single-node');
  });

  it('every file it mounts from the repository exists', () => {
    const mounts = Object.keys(compose.services).flatMap((name) => bindMounts(name));
    expect(mounts.length).toBeGreaterThanOrEqual(5);
    expect(mounts.filter(([source]) => !existsSync(source)).map(([source]) => source)).toEqual([]);
  });

  it('saves the index pattern of the search alias, on a date field of the index', () => {
    const init = environmentOf('opensearch-dashboards-init');
    const searchConfig = searchIndexingConfigSchema.parse(environmentOf('search-indexing'));
    expect(init.INDEX_PATTERN).toBe(searchConfig.SEARCH_INDEX_ALIAS);
    const template = curatedContentIndexTemplate({
      alias: searchConfig.SEARCH_INDEX_ALIAS,
      shards: 1,
      replicas: 0,
      deleteTombstoneRetention: '24h',
    });
    const properties = template.template.mappings.properties as Record<string, { type?: string }>;
    expect(properties[init.TIME_FIELD]?.type).toBe('date');
    const script = readFileSync(
      hostPathMountedAt('opensearch-dashboards-init', '/init/opensearch-dashboards-init.sh'),
      'utf8',
    );
    expect(script).toContain('/api/saved_objects/index-pattern/');
    expect(service('opensearch-dashboards-init').depends_on).toEqual({
      'opensearch-dashboards': { condition: 'service_healthy' },
    });
  });
});

describe('Prometheus and Grafana provisioning (infra/compose)', () => {
  const prometheusConfig = parse(
    readFileSync(hostPathMountedAt('prometheus', '/etc/prometheus/prometheus.yml'), 'utf8'),
  ) as {
    rule_files: string[];
    scrape_configs: Array<{
      job_name: string;
      metrics_path?: string;
      static_configs: Array<{ targets: string[] }>;
    }>;
  };

  it('scrapes /metrics of the four services, one job per service', () => {
    const scraped = prometheusConfig.scrape_configs.map((job) => ({
      job: job.job_name,
      path: job.metrics_path ?? '/metrics',
      targets: job.static_configs.flatMap((each) => each.targets),
    }));
    expect(scraped).toEqual(
      SERVICES.map((each) => ({
        job: each.name,
        path: '/metrics',
        targets: [`${each.name}:${each.defaultPort}`],
      })),
    );
  });

  it('loads the mounted alert rules, and every job they name is scraped', () => {
    expect(prometheusConfig.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
    const rulesFile = hostPathMountedAt('prometheus', '/etc/prometheus/alerts.yml');
    expect(rulesFile).toBe(join(repoRoot, 'infra', 'prometheus', 'alerts.yml'));
    const rules = parse(readFileSync(rulesFile, 'utf8')) as {
      groups: Array<{ name: string; rules: Array<{ alert?: string; expr: string }> }>;
    };
    const alerts = rules.groups.flatMap((group) => group.rules);
    expect(alerts.length).toBeGreaterThan(0);
    const jobs = prometheusConfig.scrape_configs.map((job) => job.job_name);
    const named = alerts.flatMap((rule) =>
      // `job="a"` and `job=~"a|b"` with plain names.
      [...rule.expr.matchAll(/job=~?"([\w|-]+)"/g)].flatMap((match) => match[1].split('|')),
    );
    expect(named.filter((job) => !jobs.includes(job))).toEqual([]);
  });

  const provisioning = join(__dirname, 'grafana', 'provisioning');
  const grafanaMount = hostPathMountedAt('grafana', '/etc/grafana/provisioning');

  it('mounts the provisioning folder into Grafana', () => {
    expect(grafanaMount).toBe(provisioning);
  });

  const datasources = (
    parse(readFileSync(join(provisioning, 'datasources', 'datasources.yml'), 'utf8')) as {
      datasources: Array<{ uid: string; type: string; url: string }>;
    }
  ).datasources;

  it('provisions Prometheus and Jaeger as datasources at their compose addresses', () => {
    expect(datasources.map((each) => ({ type: each.type, host: new URL(each.url).host }))).toEqual([
      { type: 'prometheus', host: 'prometheus:9090' },
      { type: 'jaeger', host: 'jaeger:16686' },
    ]);
  });

  it('loads the pipeline dashboards from infra/grafana/dashboards, on datasources it provisions', () => {
    const providers = (
      parse(readFileSync(join(provisioning, 'dashboards', 'dashboards.yml'), 'utf8')) as {
        providers: Array<{ type: string; options: { path: string } }>;
      }
    ).providers;
    expect(providers).toHaveLength(1);
    const dashboardsDir = hostPathMountedAt('grafana', providers[0].options.path);
    expect(dashboardsDir).toBe(join(repoRoot, 'infra', 'grafana', 'dashboards'));
    const dashboards = readdirSync(dashboardsDir).filter((file) => file.endsWith('.json'));
    expect(dashboards).toContain('curation-pipeline.json');
    // Grafana's own datasource (annotations, `-- Grafana --`) needs no provisioning.
    const uids = [...datasources.map((each) => each.uid), '-- Grafana --', 'grafana'];
    for (const file of dashboards) {
      const text = readFileSync(join(dashboardsDir, file), 'utf8');
      // Template variables (`${datasource}`) choose among the provisioned ones at run time.
      const referenced = [
        ...text.matchAll(/"datasource"\s*:\s*\{[^}]*"uid"\s*:\s*"([^"$]+)"/g),
      ].map((match) => match[1]);
      expect({ file, unknown: referenced.filter((uid) => !uids.includes(uid)) }).toEqual({
        file,
        unknown: [],
      });
    }
  });
});

describe('service image (infra/docker)', () => {
  const dockerfile = readFileSync(join(repoRoot, 'infra', 'docker', 'service.Dockerfile'), 'utf8');

  it('copies only sources that exist', () => {
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(?:--\S+ )*(.+) \S+$/gm)].flatMap(
      (match) => match[1].split(/\s+/),
    );
    expect(sources.length).toBeGreaterThanOrEqual(6);
    expect(sources.filter((source) => !existsSync(join(repoRoot, source)))).toEqual([]);
  });

  it('does not leave out of the build context what the image copies', () => {
    const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    const copied = [
      'libs',
      'services',
      'scripts',
      'infra/src',
      'infra/docker',
      'patches',
      'package.json',
    ];
    expect(copied.filter((path) => ignored.includes(path))).toEqual([]);
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '**/dist', '.infra', '.git']));
  });

  it('has a non-root user, a port, a node-based health check on /health/live, and the CLI', () => {
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(finalStage).toMatch(/^USER node$/m);
    expect(finalStage).toMatch(/^EXPOSE \$\{PORT\}$/m);
    expect(finalStage).toMatch(/^HEALTHCHECK .*\\\n\s+CMD \["node", "\/app\/healthcheck\.cjs"\]$/m);
    expect(readFileSync(join(__dirname, '..', 'docker', 'healthcheck.cjs'), 'utf8')).toContain(
      '/health/live',
    );
    const launcher = join(__dirname, '..', 'docker', 'curation');
    expect(readFileSync(launcher, 'utf8')).toContain('/app/dist/scripts/cli/curation-cli.js');
    expect(statSync(launcher).mode & 0o111).not.toBe(0);
  });

  it("compiles the CLI where the image's launcher runs it", () => {
    const cliBuild = JSON.parse(
      readFileSync(join(repoRoot, 'scripts', 'tsconfig.build.json'), 'utf8'),
    ) as { compilerOptions: { rootDir: string; outDir: string } };
    const scriptsDir = join(repoRoot, 'scripts');
    const compiled = join(
      resolve(scriptsDir, cliBuild.compilerOptions.outDir),
      relative(resolve(scriptsDir, cliBuild.compilerOptions.rootDir), join(scriptsDir, 'cli')),
      'curation-cli.js',
    );
    expect(compiled).toBe(join(repoRoot, 'dist', 'scripts', 'cli', 'curation-cli.js'));
    const buildReferences = (
      JSON.parse(readFileSync(join(repoRoot, 'tsconfig.build.json'), 'utf8')) as {
        references: Array<{ path: string }>;
      }
    ).references.map((reference) => reference.path);
    expect(buildReferences).toContain('scripts/tsconfig.build.json');
  });
});

describe('docker compose config', () => {
  /** `docker-compose` (v1, Debian's package) or the `docker compose` plugin, whichever answers. */
  function composeCommand(): string[] | undefined {
    const candidates = [['docker-compose'], ['docker', 'compose']];
    return candidates.find(
      (command) =>
        spawnSync(command[0], [...command.slice(1), 'version'], { stdio: 'ignore' }).status === 0,
    );
  }

  function runCompose(command: string[], envFile: string, args: string[]): string {
    return execFileSync(
      command[0],
      [...command.slice(1), '--env-file', envFile, '-f', composeFile, ...args],
      { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  }

  it('accepts docker-compose.yml, and interpolates .env.example into environments the schemas accept, when a compose binary is installed', () => {
    const command = composeCommand();
    if (!command) {
      console.warn(
        'docker compose config not run: neither `docker-compose` nor the `docker compose` plugin is installed',
      );
      return;
    }
    // A local `.env` must not decide the outcome: an empty one stands in for it.
    const emptyEnvDir = mkdtempSync(join(tmpdir(), 'compose-config-'));
    try {
      writeFileSync(join(emptyEnvDir, '.env'), '');
      expect(runCompose(command, join(emptyEnvDir, '.env'), ['config', '-q']).trim()).toBe('');
    } finally {
      rmSync(emptyEnvDir, { recursive: true, force: true });
    }

    const rendered = parse(
      runCompose(command, join(repoRoot, '.env.example'), ['config']),
    ) as ComposeFile;
    for (const [name, schema] of Object.entries(SCHEMAS)) {
      const environment = Object.fromEntries(
        Object.entries(rendered.services[name].environment ?? {}).map(([key, value]) => [
          key,
          String(value ?? ''),
        ]),
      );
      expect(environment.OPENPROJECT_URL).toBe('https://openproject.example.org');
      const parsed = schema.safeParse(environment);
      expect({ name, issues: parsed.success ? [] : parsed.error.issues }).toEqual({
        name,
        issues: [],
      });
    }
  });
});
