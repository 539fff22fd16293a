import { pipelineCounter } from '@curation/platform';

export const webhooksTotal = pipelineCounter({
  name: 'curation_openproject_webhooks_total',
  help: 'OpenProject webhooks received, by action and outcome (accepted, ignored-action, ignored-type, unauthorized, malformed, failed)',
  labelNames: ['action', 'outcome'],
});

export const workPackageOutcomesTotal = pipelineCounter({
  name: 'curation_openproject_work_packages_total',
  help: 'Work packages resolved, by trigger (webhook, sweep) and outcome',
  labelNames: ['trigger', 'outcome'],
});

export const submissionsTotal = pipelineCounter({
  name: 'curation_submissions_total',
  help: 'Items and offerings submitted through the JSON API, by kind and outcome',
  labelNames: ['kind', 'outcome'],
});

export const sweepsTotal = pipelineCounter({
  name: 'curation_openproject_sweeps_total',
  help: 'Reconciliation sweeps, by outcome',
  labelNames: ['outcome'],
});

export const writeBackTotal = pipelineCounter({
  name: 'curation_openproject_write_back_total',
  help: 'Comments written back to work packages, by outcome (published, failed, removed) and result (queued, posted, duplicate, rejected, gave-up, error, no-work-package)',
  labelNames: ['outcome', 'result'],
});

export const descriptionsCutTotal = pipelineCounter({
  name: 'curation_descriptions_cut_total',
  help: 'Curator descriptions cut to DESCRIPTION_MAX_BYTES, by source (openproject, submission)',
  labelNames: ['source'],
});
