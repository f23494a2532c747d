import { describe, expect, it } from 'vitest';
import { PairStore } from '../../../src/transforms/match/engine.js';

describe('PairStore', () => {
  it('gives back every pair and pattern, past a chunk and after a pattern id outgrows two bytes', () => {
    const s = new PairStore();
    const n = (1 << 20) + 10;
    const pattern = (p: number): number => (p === n - 5 ? 70_000 : p % 65_536);
    for (let p = 0; p < n; p++) s.push(p, p * 3 + 1, pattern(p));
    expect(s.count).toBe(n);
    for (const p of [0, 1, 65_535, 65_536, (1 << 20) - 1, 1 << 20, n - 6, n - 5, n - 1]) {
      expect([s.i(p), s.j(p), s.pattern(p)]).toEqual([p, p * 3 + 1, pattern(p)]);
    }
  });
});
