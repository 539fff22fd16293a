import { pipelineCounter, pipelineGauge, pipelineHistogram } from './metrics';

describe('pipeline metrics', () => {
  it('refuses a name without the curation_ prefix or its unit', () => {
    expect(() => pipelineCounter({ name: 'enrichment_fetches_total', help: 'h' })).toThrow(
      /curation_<what>/,
    );
    expect(() => pipelineCounter({ name: 'curation_fetches', help: 'h' })).toThrow(/_total/);
    expect(() => pipelineHistogram({ name: 'curation_fetch_duration', help: 'h' })).toThrow(
      /_seconds\|_bytes/,
    );
    expect(() => pipelineGauge({ name: 'curation_lag', help: 'h' })).toThrow(/_messages/);
  });

  it('gives a second definition of a name the metric already registered', () => {
    const first = pipelineCounter({ name: 'curation_spec_things_total', help: 'h' });
    const second = pipelineCounter({ name: 'curation_spec_things_total', help: 'h' });
    expect(second).toBe(first);
    expect(pipelineHistogram({ name: 'curation_spec_wait_seconds', help: 'h' })).toBe(
      pipelineHistogram({ name: 'curation_spec_wait_seconds', help: 'h' }),
    );
  });
});
