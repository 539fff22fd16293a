import { TRACEPARENT_PATTERN } from './envelope';
import { childTraceparent, newTraceparent, traceIdOf } from './trace-context';

describe('trace context', () => {
  it('starts a trace when there is none and keeps its trace id in every child span', () => {
    const root = newTraceparent();
    const child = childTraceparent(root);
    const grandchild = childTraceparent(child);
    for (const traceparent of [root, child, grandchild])
      expect(traceparent).toMatch(TRACEPARENT_PATTERN);
    expect(new Set([root, child, grandchild].map(traceIdOf)).size).toBe(1);
    expect(new Set([root, child, grandchild]).size).toBe(3);
    expect(traceIdOf(childTraceparent(undefined))).not.toBe(traceIdOf(root));
  });
});
