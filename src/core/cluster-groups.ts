/**
 * Records grouped by cluster, the clusters in order of their first record: cluster `c`'s records
 * are `order[start[c]…start[c + 1])`, ascending. Typed arrays from two counting passes: the quality
 * stage and the master each grouped a million records through a map of growing arrays, some
 * hundreds of megabytes of garbage at the start of a full run's load.
 */
export interface ClusterGroups {
  count: number;
  start: Int32Array;
  order: Int32Array;
}

/** Groups records by their cluster id (`clusterOf[i]`: any integer; equal ids, one cluster). */
export function groupClusters(clusterOf: ArrayLike<number>): ClusterGroups {
  const n = clusterOf.length;
  // Dense cluster numbers in order of first record. Matching's ids are record indexes (a
  // cluster's root); other ids go through a map.
  const rank = new Int32Array(n);
  let count = 0;
  let dense = true;
  for (let i = 0; i < n; i++) {
    const c = clusterOf[i]!;
    if (!(c >= 0 && c < n && Number.isInteger(c))) {
      dense = false;
      break;
    }
  }
  if (dense) {
    const seen = new Int32Array(n).fill(-1);
    for (let i = 0; i < n; i++) {
      const c = clusterOf[i]!;
      if (seen[c] === -1) seen[c] = count++;
      rank[i] = seen[c]!;
    }
  } else {
    const seen = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const c = clusterOf[i]!;
      let r = seen.get(c);
      if (r === undefined) seen.set(c, (r = count++));
      rank[i] = r;
    }
  }
  const start = new Int32Array(count + 1);
  for (let i = 0; i < n; i++) start[rank[i]! + 1]!++;
  for (let c = 0; c < count; c++) start[c + 1] = start[c + 1]! + start[c]!;
  const fill = start.slice(0, count);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[fill[rank[i]!]!++] = i;
  return { count, start, order };
}

/** How many records cluster `c` has (see {@link groupClusters}). */
export function clusterSize(g: ClusterGroups, c: number): number {
  return g.start[c + 1]! - g.start[c]!;
}

/** The members of cluster `c` (see {@link groupClusters}), as `pick` gives them. */
export function clusterMembers<T>(g: ClusterGroups, c: number, pick: (i: number) => T): T[] {
  const from = g.start[c]!;
  const out = new Array<T>(g.start[c + 1]! - from);
  for (let k = 0; k < out.length; k++) out[k] = pick(g.order[from + k]!);
  return out;
}
