/** Pairwise precision, recall and F1 of a clustering against ground truth. */
export interface PairMetrics {
  records: number;
  predictedPairs: number;
  truePairs: number;
  truePositives: number;
  precision: number;
  recall: number;
  f1: number;
  clusters: number;
  entities: number;
}

const pairs = (n: number): number => (n * (n - 1)) / 2;

/**
 * Compares predicted clusters with true entities over the records present in both maps.
 * A predicted pair is two records under the same customer; a true pair two records of the same
 * entity; each unordered pair counts once.
 */
export function pairMetrics(predicted: ReadonlyMap<string, string>, truth: ReadonlyMap<string, string>): PairMetrics {
  const byCluster = new Map<string, number>();
  const byEntity = new Map<string, number>();
  const byBoth = new Map<string, number>();
  let records = 0;
  for (const [rec, entity] of truth) {
    const cluster = predicted.get(rec);
    if (cluster === undefined) continue;
    records++;
    byCluster.set(cluster, (byCluster.get(cluster) ?? 0) + 1);
    byEntity.set(entity, (byEntity.get(entity) ?? 0) + 1);
    const both = `${cluster}\u0000${entity}`;
    byBoth.set(both, (byBoth.get(both) ?? 0) + 1);
  }
  let predictedPairs = 0;
  let truePairs = 0;
  let truePositives = 0;
  for (const n of byCluster.values()) predictedPairs += pairs(n);
  for (const n of byEntity.values()) truePairs += pairs(n);
  for (const n of byBoth.values()) truePositives += pairs(n);
  const precision = predictedPairs ? truePositives / predictedPairs : 1;
  const recall = truePairs ? truePositives / truePairs : 1;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { records, predictedPairs, truePairs, truePositives, precision, recall, f1, clusters: byCluster.size, entities: byEntity.size };
}
