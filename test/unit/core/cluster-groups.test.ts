import { describe, expect, it } from 'vitest';
import { clusterMembers, groupClusters } from '../../../src/core/cluster-groups.js';

/** The grouping by a map of arrays, clusters in order of first record: what groupClusters replaces. */
function byMap(clusterOf: readonly number[]): number[][] {
  const groups = new Map<number, number[]>();
  clusterOf.forEach((c, i) => {
    let g = groups.get(c);
    if (!g) groups.set(c, (g = []));
    g.push(i);
  });
  return [...groups.values()];
}

const all = (clusterOf: readonly number[]): number[][] => {
  const g = groupClusters(clusterOf);
  return Array.from({ length: g.count }, (_, c) => clusterMembers(g, c, (i) => i));
};

describe('groupClusters', () => {
  it("groups matching's cluster ids (a root record's index) in order of each cluster's first record", () => {
    const clusterOf = [3, 1, 3, 3, 1, 5, 6, 5, 8, 1];
    expect(all(clusterOf)).toEqual(byMap(clusterOf));
    expect(all(clusterOf)).toEqual([[0, 2, 3], [1, 4, 9], [5, 7], [6], [8]]);
  });

  it('groups any other ids the same way (negative, past the record count, fractional)', () => {
    const clusterOf = [7000, -1, 7000, 2.5, -1, 2.5, 12];
    expect(all(clusterOf)).toEqual(byMap(clusterOf));
  });

  it('agrees with the map on a large random clustering', () => {
    let seed = 7;
    const rnd = (m: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % m);
    const clusterOf = Array.from({ length: 20_000 }, (_, i) => (rnd(3) === 0 ? i : rnd(i + 1)));
    expect(all(clusterOf)).toEqual(byMap(clusterOf));
    expect(groupClusters([]).count).toBe(0);
  });
});
