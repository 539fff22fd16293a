/* eslint-disable @typescript-eslint/no-restricted-imports -- the manifests must satisfy each service's own config schema */
import { SECRET_VARIABLES } from '@curation/config';
import { ALL_TOPICS, QueueName, Topic } from '@curation/contracts';
import { PATH_METADATA } from '@nestjs/common/constants';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { ZodType } from 'zod';
import { HealthController } from '../../libs/platform/src/health.controller';
import { MetricsController } from '../../libs/platform/src/metrics.controller';
import { SERVICES } from '../../scripts/pipeline-processes';
import { enrichmentConfigSchema } from '../../services/enrichment/src/config/enrichment.config';
import { imageProcessingConfigSchema } from '../../services/image-processing/src/config/image-processing.config';
import { ingestionConfigSchema } from '../../services/ingestion/src/config/ingestion.config';
import { searchIndexingConfigSchema } from '../../services/search-indexing/src/config/search-indexing.config';
import {
  K8S_DIR,
  readKustomizationFiles,
  renderOverlays,
  type Manifest,
  type Rendering,
} from './kustomize-render';
import { restrictedPodViolations, type PodSpec } from './restricted-pod-security';

const repoRoot = resolve(__dirname, '../..');
const ALERTS_FILE = join(repoRoot, 'infra/prometheus/alerts.yml');
const NAMESPACE = 'curation';

interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  ports?: Array<{ name?: string; containerPort: number }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  env?: Array<{ name: string; value?: string }>;
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
}
interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: Omit<PodSpec, 'containers'> & { containers: Container[] };
}
interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}
interface PolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface PolicyRule {
  from?: PolicyPeer[];
  to?: PolicyPeer[];
  ports?: Array<{ protocol?: string; port?: number | string }>;
}
interface NetworkPolicySpec {
  podSelector: LabelSelector;
  policyTypes: string[];
  ingress?: PolicyRule[];
  egress?: PolicyRule[];
}

const SCHEMAS: Record<string, ZodType> = {
  ingestion: ingestionConfigSchema,
  enrichment: enrichmentConfigSchema,
  'image-processing': imageProcessingConfigSchema,
  'search-indexing': searchIndexingConfigSchema,
};

/** Where each service may connect: DNS, the backends, and the internet only for those that fetch. */
const BACKEND_PORTS = [53, 9092, 6379, 9200, 9000];
const EGRESS_PORTS: Record<string, number[]> = {
  ingestion: [...BACKEND_PORTS, 443],
  enrichment: [...BACKEND_PORTS, 80, 443],
  'image-processing': [...BACKEND_PORTS, 80, 443],
  'search-indexing': BACKEND_PORTS,
};
const SERVES_CLIENTS = ['ingestion', 'search-indexing'];
/** The alerts the pipeline's operators rely on (issue 15): DLQ, lag, nothing indexed, service down. */
const REQUIRED_ALERTS = [
  'CurationDeadLettersGrowing',
  'CurationConsumerLagGrowing',
  'CurationNothingIndexed',
  'CurationServiceDown',
];
const CLOSED_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'];

/** The route Nest serves a controller method on, read from its decorators. */
function routeOf(controller: object, handler: (...args: never[]) => unknown): string {
  const parts = [
    Reflect.getMetadata(PATH_METADATA, controller) as string,
    Reflect.getMetadata(PATH_METADATA, handler) as string,
  ];
  return `/${parts
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/')}`;
}
const LIVE_PATH = routeOf(HealthController, HealthController.prototype.live);
const READY_PATH = routeOf(HealthController, HealthController.prototype.ready);
const METRICS_PATH = routeOf(MetricsController, MetricsController.prototype.metrics);

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

/** The keys of the `kubectl create secret generic curation-secrets` command the README documents. */
function readmeSecretKeys(): string[] {
  const command = /kubectl [^\n]*create secret generic curation-secrets(?:[^\n]*\\\n)*[^\n]*/.exec(
    readme,
  )?.[0];
  return [...(command ?? '').matchAll(/--from-literal=([A-Z0-9_]+)=/g)].map((match) => match[1]);
}

/** The Secret an operator creates from the README, with stand-in values. */
const documentedSecret = Object.fromEntries(
  readmeSecretKeys().map((key) => [key, `documented-${key.toLowerCase()}-value`]),
);

const devKustomization = parse(
  readFileSync(join(K8S_DIR, 'overlays/dev/kustomization.yaml'), 'utf8'),
) as { secretGenerator?: Array<{ name: string; literals?: string[] }> };
const devSecretLiterals = Object.fromEntries(
  (devKustomization.secretGenerator ?? [])
    .flatMap((generator) => generator.literals ?? [])
    .map((literal) => [
      literal.slice(0, literal.indexOf('=')),
      literal.slice(literal.indexOf('=') + 1),
    ]),
);

const renderings = renderOverlays(process.env);
const production = renderings.find((rendering) => rendering.name !== 'dev')!;

const byKind = (rendering: Rendering, kind: string) =>
  rendering.manifests.filter((manifest) => manifest.kind === kind);
const named = (rendering: Rendering, kind: string, name: string) =>
  byKind(rendering, kind).find(
    (manifest) =>
      manifest.metadata?.name === name ||
      // secretGenerator names carry a content hash: `curation-secrets-<hash>`.
      (kind === 'Secret' && manifest.metadata?.name?.replace(/-[a-z0-9]{10}$/, '') === name),
  );
const templateOf = (deployment: Manifest) => deployment.spec?.template as PodTemplate;
const containerOf = (deployment: Manifest) => templateOf(deployment).spec.containers[0];
const deploymentOf = (rendering: Rendering, name: string) => {
  const deployment = named(rendering, 'Deployment', name);
  if (!deployment) throw new Error(`${rendering.name}: no Deployment ${name}`);
  return deployment;
};

/** The environment a container gets: its ConfigMaps and Secrets, then its own `env`. */
function environmentOf(rendering: Rendering, container: Container): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef)
      Object.assign(environment, named(rendering, 'ConfigMap', source.configMapRef.name)?.data);
    if (source.secretRef) {
      const secret = named(rendering, 'Secret', source.secretRef.name);
      // No Secret among the manifests: the one the README has the operator create.
      if (!secret) Object.assign(environment, documentedSecret);
      for (const [key, value] of Object.entries(secret?.data ?? {}))
        environment[key] = Buffer.from(value, 'base64').toString('utf8');
      Object.assign(environment, secret?.stringData);
    }
  }
  for (const variable of container.env ?? []) environment[variable.name] = variable.value ?? '';
  return environment;
}

/** Variables the schema cannot do without: those an empty environment is refused for. */
function requiredVariables(schema: ZodType): string[] {
  const result = schema.safeParse({});
  return result.success ? [] : result.error.issues.map((issue) => String(issue.path[0]));
}

function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const matchesLabels = Object.entries(selector.matchLabels ?? {}).every(
    ([key, value]) => labels[key] === value,
  );
  const matchesExpressions = (selector.matchExpressions ?? []).every(
    ({ key, operator, values = [] }) => {
      if (operator === 'In') return values.includes(labels[key]);
      if (operator === 'NotIn') return !values.includes(labels[key]);
      if (operator === 'Exists') return key in labels;
      if (operator === 'DoesNotExist') return !(key in labels);
      throw new Error(`unknown selector operator ${operator}`);
    },
  );
  return matchesLabels && matchesExpressions;
}

function policiesSelecting(rendering: Rendering, deployment: Manifest): NetworkPolicySpec[] {
  const labels = templateOf(deployment).metadata.labels;
  return byKind(rendering, 'NetworkPolicy')
    .map((policy) => policy.spec as unknown as NetworkPolicySpec)
    .filter((policy) => selects(policy.podSelector, labels));
}

/** Every pod template of a rendering, whatever the workload kind. */
function podTemplates(rendering: Rendering): Array<[string, PodSpec]> {
  return rendering.manifests.flatMap((manifest): Array<[string, PodSpec]> => {
    const spec = manifest.spec as
      | {
          template?: { spec: PodSpec };
          jobTemplate?: { spec: { template: { spec: PodSpec } } };
        }
      | undefined;
    const pod =
      manifest.kind === 'Pod'
        ? (spec as PodSpec)
        : (spec?.template?.spec ?? spec?.jobTemplate?.spec.template.spec);
    return pod ? [[`${manifest.kind}/${manifest.metadata?.name}`, pod]] : [];
  });
}

/** Metric names the code registers with prom-client (string literals of libs and services). */
function metricsInCode(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'dist') walk(path);
      else if (entry.name.endsWith('.ts') && !/\.(int-)?spec\.ts$/.test(entry.name)) {
        for (const match of readFileSync(path, 'utf8').matchAll(/['"`](curation_[a-z0-9_]+)['"`]/g))
          names.add(match[1]);
      }
    }
  };
  for (const root of ['libs', 'services']) walk(join(repoRoot, root));
  return names;
}

/** `curation_*` series a PromQL expression reads, without the histogram suffixes. */
function metricsIn(expression: string): string[] {
  return [...expression.matchAll(/\bcuration_[a-z0-9_]+/g)].map((match) =>
    match[0].replace(/_(bucket|sum|count)$/, ''),
  );
}

describe('restricted Pod Security check', () => {
  it('reports what a restricted namespace refuses', () => {
    const violations = restrictedPodViolations({
      hostNetwork: true,
      volumes: [{ name: 'host', hostPath: { path: '/' } }],
      containers: [
        {
          name: 'app',
          securityContext: { capabilities: { add: ['SYS_ADMIN'] }, runAsUser: 0 },
          ports: [{ hostPort: 80 }],
        },
      ],
    });
    expect(violations).toEqual([
      'hostNetwork',
      'volume host: type hostPath',
      'container app: allowPrivilegeEscalation is not false',
      'container app: capabilities.drop lacks ALL',
      'container app: adds capability SYS_ADMIN',
      'container app: runAsNonRoot is not true',
      'container app: runAsUser 0',
      'container app: seccompProfile unset',
      'container app: hostPort 80',
      'container app: readOnlyRootFilesystem is not true',
      'container app: no emptyDir mounted on /tmp',
    ]);
  });
});

describe('kustomize rendering', () => {
  it('falls back to the base files, saying why, when no kustomize binary is on PATH', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const [fallback, ...others] = renderOverlays({ PATH: join(repoRoot, 'no-such-dir') });
      expect(others).toEqual([]);
      expect(fallback).toMatchObject({ name: 'base files', rendered: false });
      expect(byKind(fallback, 'Deployment')).toHaveLength(SERVICES.length);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('not rendered'));
    } finally {
      warn.mockRestore();
    }
  });

  it('keeps every Secret out of the base and the components', () => {
    const files = readKustomizationFiles();
    expect(files.length).toBeGreaterThanOrEqual(SERVICES.length * 2);
    expect(files.filter((manifest) => manifest.kind === 'Secret')).toEqual([]);
    for (const dir of [
      'base',
      ...readdirSync(join(K8S_DIR, 'components')).map((c) => `components/${c}`),
    ]) {
      const kustomization = parse(readFileSync(join(K8S_DIR, dir, 'kustomization.yaml'), 'utf8'));
      expect({ dir, secretGenerator: kustomization.secretGenerator }).toEqual({
        dir,
        secretGenerator: undefined,
      });
    }
  });

  it('documents a Secret with every key the services keep secret, and generates the same keys for development only', () => {
    const keys = readmeSecretKeys();
    expect(keys).toEqual(expect.arrayContaining([...SECRET_VARIABLES]));
    expect(Object.keys(devSecretLiterals).sort()).toEqual([...keys].sort());
    for (const [key, value] of Object.entries(devSecretLiterals))
      expect({ key, value }).toEqual({ key, value: expect.stringContaining('development') });
  });

  it('documents the Pod Security label of the namespace and applies it in development', () => {
    expect(readme).toContain(
      `kubectl label namespace ${NAMESPACE} pod-security.kubernetes.io/enforce=restricted`,
    );
    const namespace = parse(
      readFileSync(join(K8S_DIR, 'overlays/dev/namespace.yaml'), 'utf8'),
    ) as Manifest;
    expect(namespace).toMatchObject({
      kind: 'Namespace',
      metadata: { name: NAMESPACE, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
    });
  });
});

describe.each(renderings.map((rendering) => [rendering.name, rendering] as const))(
  'Kubernetes manifests: %s',
  (_name, rendering) => {
    it('has apiVersion, kind and name on every object, namespaced to curation when rendered', () => {
      expect(rendering.manifests.length).toBeGreaterThanOrEqual(SERVICES.length * 3);
      for (const manifest of rendering.manifests) {
        const namespaced = manifest.kind !== 'Namespace';
        expect({
          apiVersion: typeof manifest.apiVersion,
          kind: typeof manifest.kind,
          name: typeof manifest.metadata?.name,
          namespace: rendering.rendered && namespaced ? manifest.metadata?.namespace : NAMESPACE,
        }).toEqual({ apiVersion: 'string', kind: 'string', name: 'string', namespace: NAMESPACE });
      }
    });

    it('passes the Kubernetes API schemas, and the KEDA and Prometheus Operator CRD schemas', () => {
      const result = spawnSync(process.execPath, [join(K8S_DIR, 'validate-api-objects.mjs')], {
        input: JSON.stringify(rendering.manifests),
        encoding: 'utf8',
      });
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toEqual([]);
    });

    it.each(SERVICES.map((service) => [service.name, service]))(
      '%s has a Deployment and a Service on its port',
      (name, service) => {
        const deployment = deploymentOf(rendering, name);
        const container = containerOf(deployment);
        expect(container.ports?.[0].containerPort).toBe(service.defaultPort);
        expect(environmentOf(rendering, container)[service.portVariable]).toBe(
          String(service.defaultPort),
        );
        const selector = (named(rendering, 'Service', name)?.spec?.selector ?? {}) as Record<
          string,
          string
        >;
        expect(Object.keys(selector).length).toBeGreaterThan(0);
        expect(templateOf(deployment).metadata.labels).toMatchObject(selector);
      },
    );

    it.each(Object.keys(SCHEMAS))(
      '%s gets every variable its config schema requires, with values it accepts',
      (name) => {
        const environment = environmentOf(rendering, containerOf(deploymentOf(rendering, name)));
        const required = requiredVariables(SCHEMAS[name]);
        expect(required.length).toBeGreaterThan(0);
        expect(required.filter((variable) => !(variable in environment))).toEqual([]);
        const parsed = SCHEMAS[name].safeParse(environment);
        expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
      },
    );

    it('gives ingestion the webhook secret without DEVELOPMENT_MODE, and no secret in a ConfigMap', () => {
      const environment = environmentOf(
        rendering,
        containerOf(deploymentOf(rendering, 'ingestion')),
      );
      expect(environment.DEVELOPMENT_MODE).toBeUndefined();
      expect(environment.OPENPROJECT_WEBHOOK_SECRET).toBeTruthy();
      for (const configMap of byKind(rendering, 'ConfigMap'))
        expect(Object.keys(configMap.data ?? {}).filter((key) => key in documentedSecret)).toEqual(
          [],
        );
    });

    it('runs every pod under the restricted Pod Security Standard with a read-only root', () => {
      const templates = podTemplates(rendering);
      expect(templates.length).toBeGreaterThanOrEqual(SERVICES.length);
      for (const [workload, pod] of templates)
        expect({ workload, violations: restrictedPodViolations(pod) }).toEqual({
          workload,
          violations: [],
        });
    });

    it.each(SERVICES.map((service) => [service.name]))(
      '%s has a startup, liveness and readiness probe on the health routes',
      (name) => {
        const container = containerOf(deploymentOf(rendering, name));
        const portNames = (container.ports ?? []).map((port) => port.name);
        expect({
          startup: container.startupProbe?.httpGet?.path,
          liveness: container.livenessProbe?.httpGet?.path,
          readiness: container.readinessProbe?.httpGet?.path,
        }).toEqual({ startup: LIVE_PATH, liveness: LIVE_PATH, readiness: READY_PATH });
        for (const probe of [
          container.startupProbe,
          container.livenessProbe,
          container.readinessProbe,
        ])
          expect(portNames).toContain(probe?.httpGet?.port);
      },
    );

    it.each(SERVICES.map((service) => [service.name]))(
      '%s has a PodDisruptionBudget selecting its pods',
      (name) => {
        const labels = templateOf(deploymentOf(rendering, name)).metadata.labels;
        const budgets = byKind(rendering, 'PodDisruptionBudget').filter((budget) =>
          selects(budget.spec?.selector as LabelSelector, labels),
        );
        expect(budgets).toHaveLength(1);
        const spec = budgets[0].spec as { maxUnavailable?: unknown; minAvailable?: unknown };
        expect(spec.maxUnavailable ?? spec.minAvailable).toBeDefined();
      },
    );

    it.each(SERVICES.map((service) => [service.name]))(
      '%s is denied by default and reaches only its allowed ports and destinations',
      (name) => {
        const policies = policiesSelecting(rendering, deploymentOf(rendering, name));
        expect(
          policies.some(
            (policy) =>
              policy.policyTypes.includes('Ingress') &&
              policy.policyTypes.includes('Egress') &&
              !policy.ingress?.length &&
              !policy.egress?.length,
          ),
        ).toBe(true);
        const egress = policies
          .filter((policy) => policy.policyTypes.includes('Egress'))
          .flatMap((policy) => policy.egress ?? []);
        for (const rule of egress) {
          expect(rule.to?.length).toBeGreaterThan(0);
          expect(rule.ports?.length).toBeGreaterThan(0);
        }
        const ipBlocks = egress
          .flatMap((rule) => rule.to ?? [])
          .flatMap((peer) => peer.ipBlock ?? []);
        for (const block of ipBlocks)
          expect(block.except).toEqual(expect.arrayContaining(CLOSED_RANGES));
        const ports = new Set(
          egress.flatMap((rule) => (rule.ports ?? []).map((port) => port.port)),
        );
        expect([...ports].sort()).toEqual([...EGRESS_PORTS[name]].sort());
        expect(
          egress.some((rule) =>
            rule.ports?.some((port) => port.port === 53 && port.protocol === 'UDP'),
          ),
        ).toBe(true);
      },
    );

    it.each(SERVICES.map((service) => [service.name]))(
      '%s admits Prometheus on its port, and clients only if it serves them',
      (name) => {
        const deployment = deploymentOf(rendering, name);
        const portName = containerOf(deployment).ports?.[0].name;
        const ingress = policiesSelecting(rendering, deployment)
          .filter((policy) => policy.policyTypes.includes('Ingress'))
          .flatMap((policy) => policy.ingress ?? []);
        const fromPrometheus = ingress.filter((rule) =>
          rule.from?.some(
            (peer) =>
              selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': 'monitoring' }) &&
              selects(peer.podSelector, { 'app.kubernetes.io/name': 'prometheus' }),
          ),
        );
        expect(fromPrometheus.flatMap((rule) => rule.ports?.map((port) => port.port))).toEqual([
          portName,
        ]);
        const fromAnywhere = ingress.filter((rule) => !rule.from?.length);
        expect(fromAnywhere.length > 0).toBe(SERVES_CLIENTS.includes(name));
        for (const rule of fromAnywhere)
          expect(rule.ports?.map((port) => port.port)).toEqual([portName]);
      },
    );

    it('has no Secret other than the development overlay generates', () => {
      const secrets = byKind(rendering, 'Secret');
      expect(secrets.map((secret) => secret.metadata?.name?.replace(/-[a-z0-9]{10}$/, ''))).toEqual(
        rendering.name === 'dev' ? ['curation-secrets'] : [],
      );
    });
  },
);

describe(`production manifests (${production.name})`, () => {
  const config = () => named(production, 'ConfigMap', 'curation-config')!.data!;

  it('runs with production settings and pinned images', () => {
    expect(config()).toMatchObject({ NODE_ENV: 'production', FETCH_ALLOW_HOSTS: '' });
    const images = byKind(production, 'Deployment').map(
      (deployment) => containerOf(deployment).image,
    );
    expect(images).toHaveLength(SERVICES.length);
    const unpinned = images.filter((image) => !/:(?!latest$)[\w.-]+$/.test(image));
    // The base files name no tag: the overlay sets it.
    expect(unpinned).toEqual(production.rendered ? [] : images);
  });

  it('autoscales enrichment and image-processing on lag and queue depth of their own group and queue, with max() over the replicas', () => {
    const expected = {
      enrichment: { topic: Topic.ItemReceived, queue: QueueName.PageFetch },
      'image-processing': { topic: Topic.ItemEnriched, queue: QueueName.ImageRender },
    };
    expect(
      byKind(production, 'ScaledObject')
        .map((scaled) => scaled.metadata?.name)
        .sort(),
    ).toEqual(Object.keys(expected).sort());
    for (const [service, { topic, queue }] of Object.entries(expected)) {
      const scaled = named(production, 'ScaledObject', service)!;
      expect((scaled.spec?.scaleTargetRef as { name: string }).name).toBe(service);
      // KEDA's HPA owns the count: a replicas field would reset it on every apply.
      expect(deploymentOf(production, service).spec?.replicas).toBeUndefined();
      const triggers = scaled.spec?.triggers as Array<{
        type: string;
        metadata: Record<string, string>;
      }>;
      const kafka = triggers.find((trigger) => trigger.type === 'kafka')!.metadata;
      expect(kafka).toMatchObject({
        consumerGroup: `${config().KAFKA_CLIENT_ID_PREFIX}.${service}`,
        topic,
        bootstrapServers: config().KAFKA_BROKERS,
      });
      expect(ALL_TOPICS).toContain(kafka.topic);
      const redis = triggers.find((trigger) => trigger.type === 'redis')!.metadata;
      expect(redis.listName).toBe(`${config().QUEUE_PREFIX}:${queue}:wait`);
      expect(config().REDIS_URL).toContain(redis.address);
      const { query } = triggers.find((trigger) => trigger.type === 'prometheus')!.metadata;
      expect(query).toMatch(/^max\(/);
      expect(query).not.toMatch(/\bsum\(/);
      expect(query).toContain(`{queue="${queue}",state="waiting"}`);
      expect([...metricsInCode()]).toEqual(expect.arrayContaining(metricsIn(query)));
    }
  });

  it('has a ServiceMonitor scraping every Service on the metrics route', () => {
    const [monitor, ...others] = byKind(production, 'ServiceMonitor');
    expect(others).toEqual([]);
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    const spec = monitor.spec as {
      selector: LabelSelector;
      endpoints: Array<{ port: string; path: string }>;
    };
    expect(spec.endpoints.map((endpoint) => endpoint.path)).toEqual([METRICS_PATH]);
    for (const service of SERVICES) {
      const manifest = named(production, 'Service', service.name)!;
      expect(selects(spec.selector, manifest.metadata?.labels ?? {})).toBe(true);
      const portNames = (manifest.spec?.ports as Array<{ name: string }>).map((port) => port.name);
      expect(portNames).toContain(spec.endpoints[0].port);
    }
  });

  it('has a PrometheusRule with the alert rules of infra/prometheus/alerts.yml, on metrics the code exports', () => {
    const [rule, ...others] = byKind(production, 'PrometheusRule');
    expect(others).toEqual([]);
    const groups = (
      rule.spec as {
        groups: Array<{ rules: Array<{ alert?: string; expr: string }> }>;
      }
    ).groups;
    const alertsFile = existsSync(ALERTS_FILE)
      ? (parse(readFileSync(ALERTS_FILE, 'utf8')) as { groups: unknown })
      : undefined;
    if (!alertsFile)
      console.warn(`${ALERTS_FILE} does not exist: the PrometheusRule is not compared with it.`);
    expect(groups).toEqual(alertsFile?.groups ?? groups);
    const rules = groups.flatMap((group) => group.rules);
    expect(rules.map((each) => each.alert)).toEqual(
      expect.arrayContaining(REQUIRED_ALERTS.filter(() => !alertsFile)),
    );
    expect(rules.length).toBeGreaterThanOrEqual(4);
    const exported = metricsInCode();
    for (const { alert, expr } of rules)
      expect({ alert, unknown: metricsIn(expr).filter((metric) => !exported.has(metric)) }).toEqual(
        {
          alert,
          unknown: [],
        },
      );
  });
});
