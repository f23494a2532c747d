import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../../../src/core/collect-garbage.js';

describe('collectGarbage', () => {
  it('gives back the heap of what is no longer reachable, at once', () => {
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    // ~100 MB that stays reachable until the loop ends: old-generation garbage once dropped.
    let junk: Map<string, number> | null = new Map();
    for (let i = 0; i < 1_000_000; i++) junk.set(`key ${i} of some length`, i);
    const grown = process.memoryUsage().heapUsed;
    expect(grown - before).toBeGreaterThan(50 * 1048576);
    junk = null;
    collectGarbage();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(10 * 1048576);
    expect(junk).toBeNull();
  });

  it('compacted, gives back the pages a collection leaves a third full', () => {
    // A third of ~1.5M small objects kept, spread over every page of the old generation.
    const slackAfter = (compact: boolean): { slack: number; kept: number } => {
      let all: { a: string; b: number }[] | null = [];
      for (let i = 0; i < 1_500_000; i++) all.push({ a: `value ${i}`, b: i });
      const kept = all.filter((_, i) => i % 3 === 0);
      collectGarbage();
      all = null;
      collectGarbage({ compact });
      const m = process.memoryUsage();
      return { slack: m.heapTotal - m.heapUsed, kept: kept.length };
    };
    const plain = slackAfter(false);
    const compacted = slackAfter(true);
    expect(plain.kept).toBe(compacted.kept);
    expect(plain.slack).toBeGreaterThan(60 * 1048576);
    expect(compacted.slack).toBeLessThan(plain.slack / 2);
  });
});
