/* eslint-disable @typescript-eslint/no-restricted-imports -- the manifests must satisfy each service's own config schema */
import { ALL_TOPICS, QueueName, Topic } from '@curation/contracts';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { ZodType } from 'zod';
import { SERVICES } from '../../scripts/pipeline-processes';
import { enrichmentConfigSchema } from '../../services/enrichment/src/config/enrichment.config';
import { imageProcessingConfigSchema } from '../../services/image-processing/src/config/image-processing.config';
import { ingestionConfigSchema } from '../../services/ingestion/src/config/ingestion.config';
import { searchIndexingConfigSchema } from '../../services/search-indexing/src/config/search-indexing.config';

type Manifest = {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: Record<string, unknown>;
};

interface Container {
  name: string;
  image: string;
  ports?: Array<{ containerPort: number }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  env?: Array<{ name: string; value?: string }>;
}

const SCHEMAS: Record<string, ZodType> = {
  ingestion: ingestionConfigSchema,
  enrichment: enrichmentConfigSchema,
  'image-processing': imageProcessingConfigSchema,
  'search-indexing': searchIndexingConfigSchema,
};

const manifests: Manifest[] = readdirSync(__dirname)
  .filter((file) => file.endsWith('.yaml'))
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(__dirname, file), 'utf8')).map((document) => {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0].message}`);
      return document.toJS() as Manifest;
    }),
  );

const byKind = (kind: string) => manifests.filter((manifest) => manifest.kind === kind);
const named = (kind: string, name: string) =>
  byKind(kind).find((manifest) => manifest.metadata?.name === name);

function containerOf(deployment: Manifest): Container {
  const template = deployment.spec?.template as { spec: { containers: Container[] } };
  return template.spec.containers[0];
}

/** The environment a container gets: its ConfigMaps and Secrets, then its own `env`. */
function environmentOf(container: Container): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef)
      Object.assign(environment, named('ConfigMap', source.configMapRef.name)?.data);
    if (source.secretRef)
      Object.assign(environment, named('Secret', source.secretRef.name)?.stringData);
  }
  for (const variable of container.env ?? []) environment[variable.name] = variable.value ?? '';
  return environment;
}

/** Variables the schema cannot do without: those an empty environment is refused for. */
function requiredVariables(schema: ZodType): string[] {
  const result = schema.safeParse({});
  return result.success ? [] : result.error.issues.map((issue) => String(issue.path[0]));
}

describe('Kubernetes manifests (infra/k8s)', () => {
  it('parses every document, each with apiVersion, kind and metadata.name', () => {
    expect(manifests.length).toBeGreaterThanOrEqual(12);
    for (const manifest of manifests) {
      expect({
        apiVersion: typeof manifest.apiVersion,
        kind: typeof manifest.kind,
        name: typeof manifest.metadata?.name,
      }).toEqual({ apiVersion: 'string', kind: 'string', name: 'string' });
    }
  });

  it.each(SERVICES.map((service) => [service.name, service]))(
    '%s has a Deployment and a Service on its port',
    (name, service) => {
      const deployment = named('Deployment', name);
      const container = containerOf(deployment!);
      expect(container.ports?.[0].containerPort).toBe(service.defaultPort);
      expect(environmentOf(container)[service.portVariable]).toBe(String(service.defaultPort));
      const selector = (named('Service', name)?.spec?.selector ?? {}) as Record<string, string>;
      const labels = (
        deployment?.spec?.template as { metadata: { labels: Record<string, string> } }
      ).metadata.labels;
      expect(Object.keys(selector).length).toBeGreaterThan(0);
      expect(labels).toMatchObject(selector);
    },
  );

  it.each(Object.keys(SCHEMAS))(
    '%s gets every variable its config schema requires, with values it accepts',
    (name) => {
      const environment = environmentOf(containerOf(named('Deployment', name)!));
      const required = requiredVariables(SCHEMAS[name]);
      expect(required.length).toBeGreaterThan(0);
      expect(required.filter((variable) => !(variable in environment))).toEqual([]);
      const parsed = SCHEMAS[name].safeParse(environment);
      expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    },
  );

  it('ingestion is given the webhook secret that production mode requires', () => {
    const environment = environmentOf(containerOf(named('Deployment', 'ingestion')!));
    expect(environment.DEVELOPMENT_MODE).toBeUndefined();
    expect(environment.OPENPROJECT_WEBHOOK_SECRET).toBeTruthy();
  });

  it('autoscales enrichment and image-processing on consumer lag and queue depth of their own group and queue', () => {
    const config = named('ConfigMap', 'curation-config')!.data!;
    const expected = {
      enrichment: { topic: Topic.ItemReceived, queue: QueueName.PageFetch },
      'image-processing': { topic: Topic.ItemEnriched, queue: QueueName.ImageRender },
    };
    expect(
      byKind('ScaledObject')
        .map((scaled) => scaled.metadata?.name)
        .sort(),
    ).toEqual(Object.keys(expected).sort());
    for (const [service, { topic, queue }] of Object.entries(expected)) {
      const scaled = named('ScaledObject', service)!;
      expect((scaled.spec?.scaleTargetRef as { name: string }).name).toBe(service);
      const triggers = scaled.spec?.triggers as Array<{
        type: string;
        metadata: Record<string, string>;
      }>;
      const kafka = triggers.find((trigger) => trigger.type === 'kafka')!.metadata;
      expect(kafka).toMatchObject({
        consumerGroup: `${config.KAFKA_CLIENT_ID_PREFIX}.${service}`,
        topic,
        bootstrapServers: config.KAFKA_BROKERS,
      });
      expect(ALL_TOPICS).toContain(kafka.topic);
      const redis = triggers.find((trigger) => trigger.type === 'redis')!.metadata;
      expect(redis.listName).toBe(`${config.QUEUE_PREFIX}:${queue}:wait`);
      expect(config.REDIS_URL).toContain(redis.address);
      const prometheus = triggers.find((trigger) => trigger.type === 'prometheus')!.metadata;
      expect(prometheus.query).toContain(`curation_queue_jobs{queue="${queue}"`);
    }
  });
});
