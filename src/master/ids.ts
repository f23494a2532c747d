import { hash } from 'node:crypto';
import type { RefList } from './record-table.js';

/** `source` NUL `key`: the identity of a source record in maps and sets. */
export const refOf = (source: string, key: string): string => `${source}\u0000${key}`;

/** A deterministic customer id from a record's identity: the same input gives the same ids on any store. */
export function customerIdFor(source: string, key: string, salt = 0): string {
  // The one-shot crypto.hash: a full run computes one per new customer.
  const h = hash('sha256', `${source}\u0000${key}\u0000${salt}`, 'hex');
  return `C${h.slice(0, 15).toUpperCase()}`;
}

/** Salted ids tried for a new customer before giving up (a 60-bit hash: more never happens). */
export const MAX_ID_SALT = 4;

/**
 * A cluster of records to place in the master: its records' indexes (in a {@link RefList}), in
 * the run's canonical order. Indexes, not records: a full load places a million records, and a
 * million identity objects beside them were some 70 MB.
 */
export interface ClusterToPlace {
  idx: readonly number[];
  /** customerIdFor its first record, unsalted, when already computed (a full load makes a million). */
  firstId?: string | undefined;
}

/** What happens to a customer id that no cluster keeps. */
export type IdFate = { status: 'merged'; mergedInto: string } | { status: 'retired' };

export interface IdAssignment {
  /** The customer id of each cluster, by index. */
  ids: string[];
  /** Which clusters got a new id. */
  isNew: boolean[];
  /** Previous customers (in scope) that no cluster kept: merged into the cluster holding most of their records, or retired. */
  fates: Map<string, IdFate>;
}

/**
 * Gives every cluster a customer id, keeping the ids of the previous run:
 * - larger clusters choose first, so when a customer splits its larger part keeps the id;
 * - a cluster holding records of several previous customers (a merge) keeps the oldest of their
 *   ids (created first, then the smaller id); the others become `merged` into it;
 * - among clusters of equal size, one holding a `leaving` record (a steward's unmerge) chooses last;
 * - a cluster with no previous id gets a deterministic one from its first record, salted past
 *   any id in `taken` (ids of the store, whatever their status: a retired id is never reused).
 *
 * @param refs the records the clusters' indexes point to.
 * @param previous record → its customer id before this run (only records in scope).
 * @param createdRun customer id → a key that sorts by age, oldest first (for every id in `previous`).
 * @param scope previous customer ids that may change (their fates are reported).
 */
export function assignCustomerIds(
  clusters: readonly ClusterToPlace[],
  refs: RefList,
  previous: ReadonlyMap<string, string>,
  createdRun: ReadonlyMap<string, string>,
  scope: ReadonlySet<string>,
  taken: ReadonlySet<string>,
  leaving: ReadonlySet<string> = new Set(),
): IdAssignment {
  // A first load has no previous ids and nobody leaving: a million lookups (and their keys) spared.
  const ref = (i: number): string => refOf(refs.source(i), refs.key(i));
  const holds = (c: ClusterToPlace) => leaving.size > 0 && c.idx.some((i) => leaving.has(ref(i)));
  const hasPrevious = previous.size > 0;
  const isLeaving = leaving.size > 0 ? clusters.map(holds) : null;
  const order = Array.from(clusters.keys()).sort(
    (x, y) => clusters[y]!.idx.length - clusters[x]!.idx.length || (isLeaving ? Number(isLeaving[x]) - Number(isLeaving[y]) : 0) || x - y,
  );
  const older = (a: string, b: string): boolean => {
    const ra = createdRun.get(a) ?? '';
    const rb = createdRun.get(b) ?? '';
    return ra < rb || (ra === rb && a < b);
  };
  const used = new Set<string>();
  const ids: string[] = new Array<string>(clusters.length);
  const isNew: boolean[] = new Array<boolean>(clusters.length).fill(false);
  for (const i of order) {
    const c = clusters[i]!;
    let id: string | undefined;
    if (hasPrevious) {
      for (const m of c.idx) {
        const p = previous.get(ref(m));
        if (p && !used.has(p) && (!id || older(p, id))) id = p;
      }
    }
    if (!id) {
      const first = c.idx[0]!;
      for (let salt = 0; ; salt++) {
        if (salt >= MAX_ID_SALT) throw new Error(`no free customer id for a record of source ${refs.source(first)}`);
        const cand = salt === 0 && c.firstId !== undefined ? c.firstId : customerIdFor(refs.source(first), refs.key(first), salt);
        if (!used.has(cand) && !taken.has(cand)) {
          id = cand;
          break;
        }
      }
      isNew[i] = true;
    }
    used.add(id);
    ids[i] = id;
  }
  // Where did the records of each customer that lost its id go?
  const fates = new Map<string, IdFate>();
  const destinations = new Map<string, Map<string, number>>();
  clusters.forEach((c, i) => {
    if (!hasPrevious) return;
    for (const m of c.idx) {
      const p = previous.get(ref(m));
      if (!p || used.has(p)) continue;
      let d = destinations.get(p);
      if (!d) destinations.set(p, (d = new Map()));
      d.set(ids[i]!, (d.get(ids[i]!) ?? 0) + 1);
    }
  });
  for (const p of scope) {
    if (used.has(p)) continue;
    const d = destinations.get(p);
    if (!d) {
      fates.set(p, { status: 'retired' });
      continue;
    }
    let best: string | undefined;
    for (const [id, n] of d) if (!best || n > d.get(best)! || (n === d.get(best)! && older(id, best))) best = id;
    fates.set(p, { status: 'merged', mergedInto: best! });
  }
  return { ids, isNew, fates };
}
