import { parser } from '@prometheus-io/lezer-promql';
import { load } from 'js-yaml';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../scripts/pipeline-processes';
import { photoJpeg } from '../support/photo-images';
import { eventually, uniqueName } from '../support/test-environment';
import { submitUntilAccepted } from '../e2e/support/pipeline-checks';
import {
  Pipeline,
  infraEnvironment,
  isolatedEnvironment,
  startGroupsAtTopicEnds,
} from '../e2e/support/pipeline.harness';
import { SourceSite, articleHtml } from '../e2e/support/source-site';

const DASHBOARD_FILE = join(repoRoot, 'infra/grafana/dashboards/curation-pipeline.json');
const ALERTS_FILE = join(repoRoot, 'infra/prometheus/alerts.yml');

/** Prometheus's own series: never exported by a service. */
const PROMETHEUS_SERIES = new Set(['up']);
/** What prom-client's default metrics are named: the runtime's, not the pipeline's. */
const RUNTIME_PREFIXES = ['process_', 'nodejs_'];
/** Counters this test cannot give a sample: they count OpenProject traffic, and none is sent. */
const NO_SAMPLE_WITHOUT_OPENPROJECT = new Set([
  'curation_openproject_webhooks_total',
  'curation_openproject_work_packages_total',
]);

interface Panel {
  title?: string;
  type?: string;
  datasource?: { uid?: string };
  targets?: Array<{ expr?: string; datasource?: { uid?: string } }>;
  panels?: Panel[];
}

interface AlertRule {
  alert?: string;
  expr?: string;
  for?: string;
  labels?: { severity?: string };
  annotations?: { summary?: string; description?: string };
}

function panelsOf(dashboard: { panels?: Panel[] }): Panel[] {
  return (dashboard.panels ?? []).flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

function dashboardQueries(): Array<{ where: string; expr: string }> {
  const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as { panels?: Panel[] };
  return panelsOf(dashboard).flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({
      where: `dashboard panel "${panel.title}"`,
      expr: target.expr ?? '',
    })),
  );
}

function alertRules(): AlertRule[] {
  const file = load(readFileSync(ALERTS_FILE, 'utf8')) as {
    groups?: Array<{ name?: string; rules?: AlertRule[] }>;
  };
  return (file.groups ?? []).flatMap((group) => group.rules ?? []);
}

function allQueries(): Array<{ where: string; expr: string }> {
  return [
    ...dashboardQueries(),
    ...alertRules().map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr ?? '' })),
  ];
}

/** Grafana fills these in before the query reaches Prometheus. */
function withGrafanaVariables(expr: string): string {
  return expr.replace(/\$__(rate_interval|interval|range)\b/g, '5m');
}

/**
 * Every metric name a PromQL expression selects, read from the syntax tree of Prometheus's own
 * grammar (the one its web UI uses): vector selectors by name and `{__name__="..."}` matchers.
 */
function metricNames(expr: string): string[] {
  const text = withGrafanaVariables(expr);
  const tree = parser.parse(text);
  const names: string[] = [];
  const problems: string[] = [];
  tree.iterate({
    enter: (node) => {
      if (node.type.isError)
        problems.push(`syntax error at ${node.from}: "${text.slice(node.from, node.from + 20)}"`);
      if (node.name === 'VectorSelector') {
        const identifier = node.node.getChild('Identifier');
        if (identifier) names.push(text.slice(identifier.from, identifier.to));
      }
      if (node.name === 'UnquotedLabelMatcher') {
        const label = node.node.getChild('LabelName');
        const value = node.node.getChild('StringLiteral');
        if (label && value && text.slice(label.from, label.to) === '__name__') {
          names.push(JSON.parse(text.slice(value.from, value.to)) as string);
        }
      }
    },
  });
  if (problems.length > 0) throw new Error(`${expr}: ${problems.join('; ')}`);
  if (names.length === 0) throw new Error(`${expr}: selects no metric`);
  return names;
}

/** Metric families of a text exposition: name → type, from its `# TYPE` lines. */
function familiesOf(exposition: string): Map<string, string> {
  const families = new Map<string, string>();
  for (const match of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm))
    families.set(match[1], match[2]);
  return families;
}

/** The family a series name belongs to: histograms expose `_bucket`, `_sum` and `_count`. */
function familyOf(series: string, families: Map<string, string>): string | undefined {
  if (families.has(series)) return series;
  const match = /^(.+)_(bucket|sum|count)$/.exec(series);
  if (match && ['histogram', 'summary'].includes(families.get(match[1]) ?? '')) return match[1];
  return undefined;
}

function hasSample(exposition: string, series: string): boolean {
  return new RegExp(`^${series}(\\{[^}]*\\})? `, 'm').test(exposition);
}

describe('dashboard and alert rules: well-formed', () => {
  it('every alert rule has an expression, a duration, a severity and annotations', () => {
    const rules = alertRules();
    expect(rules.map((rule) => rule.alert).sort()).toEqual([
      'CurationConsumerLagGrowing',
      'CurationDeadLettersGrowing',
      'CurationNothingIndexed',
      'CurationServiceDown',
    ]);
    for (const rule of rules) {
      expect({ alert: rule.alert, expr: typeof rule.expr }).toEqual({
        alert: rule.alert,
        expr: 'string',
      });
      expect({ alert: rule.alert, for: rule.for }).toEqual({
        alert: rule.alert,
        for: expect.stringMatching(/^\d+[smh]$/),
      });
      expect({ alert: rule.alert, severity: rule.labels?.severity }).toEqual({
        alert: rule.alert,
        severity: expect.stringMatching(/^(warning|critical)$/),
      });
      expect(rule.annotations?.summary).toEqual(expect.any(String));
      expect(rule.annotations?.description).toEqual(expect.any(String));
    }
  });

  it('every query parses as PromQL and selects at least one metric', () => {
    const queries = allQueries();
    expect(queries.length).toBeGreaterThan(10);
    for (const { where, expr } of queries) {
      expect({ where, names: metricNames(expr).length > 0 }).toEqual({ where, names: true });
    }
  });

  it('the parser finds what a query selects, and refuses a broken query', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le) (rate(a_seconds_bucket[$__rate_interval]))) / on() group_left b_total or {__name__="c_jobs"}',
      ),
    ).toEqual(['a_seconds_bucket', 'b_total', 'c_jobs']);
    expect(() => metricNames('sum(rate(a_total[5m])')).toThrow(/syntax error/);
  });

  it('every panel and query takes its datasource from the DS_PROMETHEUS variable', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as {
      panels?: Panel[];
      templating?: { list?: Array<{ name?: string; type?: string; query?: string }> };
    };
    expect(dashboard.templating?.list).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', query: 'prometheus' }),
      ]),
    );
    for (const panel of panelsOf(dashboard).filter((each) => each.type !== 'row')) {
      expect({ panel: panel.title, uid: panel.datasource?.uid }).toEqual({
        panel: panel.title,
        uid: '${DS_PROMETHEUS}',
      });
      for (const target of panel.targets ?? []) {
        expect({ panel: panel.title, uid: target.datasource?.uid }).toEqual({
          panel: panel.title,
          uid: '${DS_PROMETHEUS}',
        });
      }
    }
  });
});

/**
 * The four services from `dist`, one item published through them (and one that fails), then
 * each service's /metrics: every metric the dashboard and the alerts query must be there.
 */
describe('dashboard and alert rules: every metric they query is exported', () => {
  const runId = uniqueName('dashboard');
  const site = new SourceSite();
  const logDir = mkdtempSync(join(tmpdir(), 'dashboard-metrics-'));
  let pipeline: Pipeline | undefined;
  const expositions = new Map<string, string>();

  beforeAll(async () => {
    await site.start();
    const image = site.image('/images/photo.jpg', await photoJpeg(1200, 800));
    site.page('/articles/observed', articleHtml('An observed article', image));
    const infra = infraEnvironment();
    await startGroupsAtTopicEnds(infra.KAFKA_BROKERS.split(','), runId);
    pipeline = await Pipeline.start({
      logDir,
      environment: {
        ...infra,
        ...isolatedEnvironment(runId),
        LOG_LEVEL: 'warn',
        // ingestion's write-back group is not among the groups started at the topics' ends.
        KAFKA_NEW_GROUP_START: 'latest',
        OPENPROJECT_SWEEP_INTERVAL_SECONDS: '0',
        FETCH_ALLOW_HOSTS: '127.0.0.1',
        PAGE_FETCH_HOST_INTERVAL_MS: '0',
        IMAGE_FETCH_HOST_INTERVAL_MS: '0',
        PAGE_FETCH_ATTEMPTS: '1',
        SEARCH_INDEX_REPLICAS: '0',
      },
    });
    const ingestion = pipeline.url('ingestion');
    const statusOf = async (itemId: string) => {
      const response = await fetch(`${ingestion}/v1/items/${itemId}`);
      return response.ok ? ((await response.json()) as { state: string }).state : undefined;
    };
    const published = await submitUntilAccepted(() => ingestion, {
      url: `${site.origin}/articles/observed`,
      topics: ['HIMSS: Digital Health'],
    });
    const missing = await submitUntilAccepted(() => ingestion, {
      url: `${site.origin}/articles/missing`,
      topics: ['HIMSS: Digital Health'],
    });
    await eventually(
      async () => ((await statusOf(published.itemId)) === 'completed' ? true : undefined),
      180000,
    );
    await eventually(
      async () => ((await statusOf(missing.itemId)) === 'failed' ? true : undefined),
      180000,
    );
    for (const [key, instance] of pipeline.instances) {
      const response = await fetch(`${instance.url}/metrics`);
      expect(response.status).toBe(200);
      expositions.set(key, await response.text());
    }
  }, 420000);

  afterAll(async () => {
    await pipeline?.stop();
    await site.stop();
  }, 120000);

  it('exports every metric the dashboard and the alert rules query, with samples', () => {
    const union = [...expositions.values()].join('\n');
    const families = familiesOf(union);
    const queried = new Set(allQueries().flatMap(({ expr }) => metricNames(expr)));
    const missing = [...queried].filter(
      (series) => !PROMETHEUS_SERIES.has(series) && !familyOf(series, families),
    );
    expect(missing).toEqual([]);
    const withoutSamples = [...queried].filter(
      (series) =>
        !PROMETHEUS_SERIES.has(series) &&
        !NO_SAMPLE_WITHOUT_OPENPROJECT.has(series) &&
        !hasSample(union, series),
    );
    expect(withoutSamples).toEqual([]);
  });

  it('names every metric of the pipeline curation_*, and labels each sample with its service', () => {
    for (const [service, exposition] of expositions) {
      const outsidePrefix = [...familiesOf(exposition).keys()].filter(
        (name) =>
          !name.startsWith('curation_') && !RUNTIME_PREFIXES.some((p) => name.startsWith(p)),
      );
      expect({ service, outsidePrefix }).toEqual({ service, outsidePrefix: [] });
      const samples = exposition.split('\n').filter((line) => line && !line.startsWith('#'));
      expect(samples.length).toBeGreaterThan(0);
      const unlabelled = samples.filter((line) => !line.includes(`curation_service="${service}"`));
      expect({ service, unlabelled }).toEqual({ service, unlabelled: [] });
      expect(exposition).not.toMatch(/[{,]service="/);
    }
  });

  it('reports the run’s consumer lag and queue depth from ingestion', () => {
    const ingestion = expositions.get('ingestion') ?? '';
    expect(ingestion).toMatch(
      new RegExp(`^curation_consumer_lag_messages\\{group="${runId}\\.`, 'm'),
    );
    expect(ingestion).toMatch(/^curation_queue_jobs\{queue="page-fetch",state="completed"/m);
  });
});
