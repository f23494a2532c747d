import { describe, expect, it } from 'vitest';
import { pairMetrics } from '../../../src/eval/pair-metrics.js';

describe('pairMetrics', () => {
  it('counts each unordered pair once', () => {
    const truth = new Map([['a', '1'], ['b', '1'], ['c', '1'], ['d', '2'], ['e', '2']]);
    const pred = new Map([['a', 'x'], ['b', 'x'], ['c', 'y'], ['d', 'y'], ['e', 'z']]);
    const m = pairMetrics(pred, truth);
    expect(m).toMatchObject({ predictedPairs: 2, truePairs: 4, truePositives: 1, clusters: 3, entities: 2 });
    expect(m.precision).toBe(0.5);
    expect(m.recall).toBe(0.25);
    expect(m.f1).toBeCloseTo(1 / 3, 10);
  });
});
