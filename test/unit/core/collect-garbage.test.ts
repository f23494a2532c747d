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
});
