import { SpanKind, type Attributes, type Context, type Link } from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace';

/**
 * Decides for spans that start a trace. An INTERNAL span with no parent is a library's own
 * housekeeping: BullMQ's workers poll Redis for the next job every few seconds and check for
 * stalled jobs, each poll a trace of its own that would bury the items' traces. Every operation
 * of the pipeline starts with a SERVER, PRODUCER or CONSUMER span, and those are all kept.
 */
export class HousekeepingRootSampler implements Sampler {
  shouldSample(
    _context: Context,
    _traceId: string,
    _spanName: string,
    spanKind: SpanKind,
    _attributes: Attributes,
    _links: Link[],
  ): SamplingResult {
    return {
      decision:
        spanKind === SpanKind.INTERNAL
          ? SamplingDecision.NOT_RECORD
          : SamplingDecision.RECORD_AND_SAMPLED,
    };
  }

  toString(): string {
    return 'HousekeepingRootSampler';
  }
}
