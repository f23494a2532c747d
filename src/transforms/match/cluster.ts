/** A scored candidate pair above the link threshold. */
export interface Edge {
  a: number;
  b: number;
  probability: number;
  /**
   * The pair's match weight (bits) as `weight(a, b)` gives it, when the caller scored it: a join
   * whose cross pairs include this pair in this order (a < b) takes it instead of scoring the pair
   * again through `weight`.
   */
  weight?: number;
}

export interface ClusterOptions {
  /** Records count. */
  n: number;
  /** Average match weight (bits, clamped) over all cross pairs needed to join two groups. */
  minAverageWeight: number;
  /** Match weight in bits of any pair (scored on demand; blocks did not necessarily compare them). */
  weight(i: number, j: number): number;
  /** Probability of any pair, for the link probability of records. */
  probability(i: number, j: number): number;
  /** False where two records may never share a customer (same duplicate-free source…). */
  canLink?(i: number, j: number): boolean;
  /** Cross pairs inspected per merge at most; beyond that a deterministic sample. */
  maxCrossPairs?: number;
  /**
   * Pairs that must share a cluster (a steward's merge, an accepted review): joined before any
   * edge, without the average-weight test, unless a cannot-link forbids it. Default none.
   */
  mustLink?: readonly (readonly [number, number])[];
  /** Pairs that may never share a cluster (an unmerge, a rejected review). Default none. */
  cannotLink?: readonly (readonly [number, number])[];
}

export interface Clustering {
  /** Cluster id (index of its representative) per record. */
  clusterOf: Int32Array;
  /** Probability of the link that brought each record into its cluster; NaN for a cluster's first record. */
  linkProbability: Float64Array;
  /** Merges refused because the groups did not hold together as a whole (chaining avoided). */
  refusedMerges: number;
}

/**
 * Groups records by links, strongest first. Two groups join only when the link holds for the
 * groups as a whole (average match weight across their members ≥ `minAverageWeight` bits), so a chain of
 * weak links cannot glue unrelated people into one giant customer.
 */
/**
 * Cross-pair weights are clamped so that one pair with every field wildly different, or one
 * exact twin, does not decide a merge alone. Averaging weights (log odds) rather than
 * probabilities lets a group of true duplicates with a few badly corrupted members stay
 * together, while unrelated people joined by one weak link average far below zero.
 */
const WEIGHT_CLAMP = 20;

export function clusterRecords(edges: Edge[], opts: ClusterOptions): Clustering {
  const parent = new Int32Array(opts.n);
  for (let i = 0; i < opts.n; i++) parent[i] = i;
  const members = new Map<number, number[]>();
  const linkProbability = new Float64Array(opts.n).fill(Number.NaN);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  const group = (r: number): number[] => members.get(r) ?? [r];
  const maxCross = opts.maxCrossPairs ?? 400;
  let refused = 0;
  const cannot = new Map<number, number[]>();
  for (const [i, j] of opts.cannotLink ?? []) {
    if (i === j) continue;
    let l = cannot.get(i);
    if (!l) cannot.set(i, (l = []));
    l.push(j);
    let m = cannot.get(j);
    if (!m) cannot.set(j, (m = []));
    m.push(i);
  }
  // A cannot-link between any member of one group and any member of the other forbids the join.
  const forbidden = (ra: number, rb: number): boolean => {
    if (!cannot.size) return false;
    const [small, other] = group(ra).length <= group(rb).length ? [ra, rb] : [rb, ra];
    for (const i of group(small)) for (const j of cannot.get(i) ?? []) if (find(j) === other) return true;
    return false;
  };
  const join = (ra: number, rb: number): void => {
    // The smaller index stays representative: stable whatever the edge order.
    const [keep, drop] = ra < rb ? [ra, rb] : [rb, ra];
    parent[drop] = keep;
    const joined = group(keep).concat(group(drop));
    members.set(keep, joined);
    members.delete(drop);
  };
  const must: [number, number][] = (opts.mustLink ?? []).map(([i, j]): [number, number] => (i < j ? [i, j] : [j, i])).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  for (const [i, j] of must) {
    const ra = find(i);
    const rb = find(j);
    if (ra === rb) continue;
    if (forbidden(ra, rb)) {
      refused++;
      continue;
    }
    join(ra, rb);
  }
  const sorted = [...edges].sort((x, y) => y.probability - x.probability || x.a - y.a || x.b - y.b);
  // The weights the edges carry, by pair: most cross pairs of a join are edges (84 % of those
  // scored at 300k generated records). An edge's weight is `weight(a, b)` with a < b, and weights
  // are not quite symmetric (swapped names weigh by one record's values), so a cross pair takes
  // it only in that order.
  const known = new Map<number, number>();
  for (const e of edges) if (e.weight !== undefined && e.a < e.b) known.set(e.a * opts.n + e.b, e.weight);
  const weightOf = (i: number, j: number): number => (i < j ? known.get(i * opts.n + j) : undefined) ?? opts.weight(i, j);
  for (const e of sorted) {
    const ra = find(e.a);
    const rb = find(e.b);
    if (ra === rb) continue;
    const ga = group(ra);
    const gb = group(rb);
    let ok = !forbidden(ra, rb);
    if (ok && (ga.length > 1 || gb.length > 1 || opts.canLink)) {
      let sum = 0;
      let count = 0;
      const total = ga.length * gb.length;
      const step = total > maxCross ? Math.ceil(total / maxCross) : 1;
      let k = 0;
      outer: for (const i of ga) {
        for (const j of gb) {
          if (opts.canLink && !opts.canLink(i, j)) {
            ok = false;
            break outer;
          }
          if (k++ % step !== 0) continue;
          sum += Math.max(-WEIGHT_CLAMP, Math.min(WEIGHT_CLAMP, weightOf(i, j)));
          count++;
        }
      }
      if (ok && count > 0 && sum / count < opts.minAverageWeight) ok = false;
    }
    if (!ok) {
      refused++;
      continue;
    }
    join(ra, rb);
  }
  const clusterOf = new Int32Array(opts.n);
  for (let i = 0; i < opts.n; i++) clusterOf[i] = find(i);
  // A record's link probability: its strongest link inside its cluster. Every member of a
  // cluster has one, since groups only ever join through an edge between two of their members.
  for (const e of edges) {
    if (clusterOf[e.a] !== clusterOf[e.b]) continue;
    for (const i of [e.a, e.b]) {
      if (!(linkProbability[i]! >= e.probability)) linkProbability[i] = e.probability;
    }
  }
  // A record a steward put in its cluster: certain.
  for (const [i, j] of must) if (clusterOf[i] === clusterOf[j]) for (const x of [i, j]) if (!(linkProbability[x]! >= 1)) linkProbability[x] = 1;
  // The cluster's first record (its representative, the lowest index) has none.
  for (let i = 0; i < opts.n; i++) if (clusterOf[i] === i) linkProbability[i] = Number.NaN;
  return { clusterOf, linkProbability, refusedMerges: refused };
}
