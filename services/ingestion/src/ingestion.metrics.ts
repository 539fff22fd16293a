import { Counter, register } from 'prom-client';

function counter<Label extends string>(
  name: string,
  help: string,
  labelNames: Label[],
): Counter<Label> {
  // One registry per process: a second app in the same process (tests) reuses the metric.
  const existing = register.getSingleMetric(name);
  return (existing as Counter<Label> | undefined) ?? new Counter({ name, help, labelNames });
}

export const webhooksTotal = counter(
  'ingestion_openproject_webhooks_total',
  'OpenProject webhooks received, by action and outcome (accepted, ignored-action, ignored-type, unauthorized, malformed, failed)',
  ['action', 'outcome'],
);

export const workPackageOutcomesTotal = counter(
  'ingestion_openproject_work_packages_total',
  'Work packages resolved, by trigger (webhook, sweep) and outcome',
  ['trigger', 'outcome'],
);

export const submissionsTotal = counter(
  'ingestion_submissions_total',
  'Items and offerings submitted through the JSON API, by kind and outcome',
  ['kind', 'outcome'],
);

export const sweepsTotal = counter(
  'ingestion_openproject_sweeps_total',
  'Reconciliation sweeps, by outcome',
  ['outcome'],
);

export const writeBackTotal = counter(
  'ingestion_openproject_write_back_total',
  'Comments written back to work packages, by outcome (published, failed, removed) and result (queued, posted, duplicate, rejected, gave-up, error, no-work-package)',
  ['outcome', 'result'],
);

export const descriptionsCutTotal = counter(
  'ingestion_descriptions_cut_total',
  'Curator descriptions cut to DESCRIPTION_MAX_BYTES, by source (openproject, submission)',
  ['source'],
);
