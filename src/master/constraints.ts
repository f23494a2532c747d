import { z } from 'zod';
import type { Knex } from 'knex';
import type { Store } from '../store/store.js';
import { refOf } from './ids.js';
import { type RefList, refList } from './record-table.js';
import { type RecordRef, refChunks } from './store-io.js';

export const constraintKindSchema = z.enum(['must_link', 'cannot_link']);
/** `must_link`: two records are one customer; `cannot_link`: never one customer. */
export type ConstraintKind = z.infer<typeof constraintKindSchema>;

/** Why a constraint exists: the steward command that made it. */
export const constraintOriginSchema = z.enum(['merge', 'unmerge', 'review_accept', 'review_reject']);
export type ConstraintOrigin = z.infer<typeof constraintOriginSchema>;

export interface Constraint {
  kind: ConstraintKind;
  a: RecordRef;
  b: RecordRef;
}

/** The pair in stored order (a < b), so that one pair has one row. */
function ordered(a: RecordRef, b: RecordRef): [RecordRef, RecordRef] {
  return refOf(a.source, a.key) <= refOf(b.source, b.key) ? [a, b] : [b, a];
}

/**
 * Records steward decisions. A pair has one constraint: a new decision on it replaces the old
 * one (a review rejected after a merge was accepted: the later word counts).
 */
export async function addConstraints(
  trx: Knex.Transaction,
  constraints: readonly Constraint[],
  meta: { origin: ConstraintOrigin; actor: string; at: Date },
): Promise<void> {
  for (const c of constraints) {
    const [a, b] = ordered(c.a, c.b);
    if (a.source === b.source && a.key === b.key) continue;
    const where = { a_source: a.source, a_key: a.key, b_source: b.source, b_key: b.key };
    await trx('master_constraints').where(where).delete();
    await trx('master_constraints').insert({ ...where, kind: c.kind, origin: meta.origin, actor: meta.actor, created_at: meta.at });
  }
}

/** Removes the must-links that involve a record (it is being taken out of its customer). */
export async function dropMustLinksOf(trx: Knex.Transaction, r: RecordRef): Promise<void> {
  await trx('master_constraints')
    .where({ kind: 'must_link' })
    .andWhere((q) => q.where({ a_source: r.source, a_key: r.key }).orWhere({ b_source: r.source, b_key: r.key }))
    .delete();
}

const toConstraint = (r: Record<string, unknown>): Constraint => ({
  kind: r.kind as ConstraintKind,
  a: { source: String(r.a_source), key: String(r.a_key) },
  b: { source: String(r.b_source), key: String(r.b_key) },
});

/** Every constraint (a full run reads them all). */
export async function loadAllConstraints(store: Store): Promise<Constraint[]> {
  return ((await store.knex('master_constraints').select('kind', 'a_source', 'a_key', 'b_source', 'b_key').orderBy('id')) as Record<string, unknown>[]).map(toConstraint);
}

/** Constraints that involve any of these records. */
export async function loadConstraintsOf(store: Store, refs: Iterable<RecordRef>): Promise<Constraint[]> {
  const out = new Map<string, Constraint>();
  for (const { source, keys } of refChunks(refs)) {
    for (const side of ['a', 'b'] as const) {
      const rows = (await store
        .knex('master_constraints')
        .select('id', 'kind', 'a_source', 'a_key', 'b_source', 'b_key')
        .where(`${side}_source`, source)
        .whereIn(`${side}_key`, keys)) as Record<string, unknown>[];
      for (const r of rows) out.set(String(r.id), toConstraint(r));
    }
  }
  return [...out.values()];
}

/** Constraints as index pairs over `records` (pairs with a record not among them are left out). */
export function constraintIndexPairs(
  records: readonly RecordRef[] | RefList,
  constraints: readonly Constraint[],
): { mustLink: [number, number][]; cannotLink: [number, number][] } {
  const mustLink: [number, number][] = [];
  const cannotLink: [number, number][] = [];
  if (!constraints.length) return { mustLink, cannotLink };
  // Only the records the constraints name are looked for (by source, then key): a map of every
  // record's identity was a million strings and entries of garbage on a full run.
  const wanted = new Map<string, Map<string, number>>();
  for (const c of constraints) {
    for (const r of [c.a, c.b]) {
      let keys = wanted.get(r.source);
      if (!keys) wanted.set(r.source, (keys = new Map()));
      keys.set(r.key, -1);
    }
  }
  const list = refList(records);
  for (let i = 0; i < list.length; i++) {
    const keys = wanted.get(list.source(i));
    if (!keys) continue;
    const key = list.key(i);
    if (keys.has(key)) keys.set(key, i);
  }
  const indexOf = (r: RecordRef): number | undefined => {
    const i = wanted.get(r.source)?.get(r.key);
    return i === undefined || i < 0 ? undefined : i;
  };
  for (const c of constraints) {
    const i = indexOf(c.a);
    const j = indexOf(c.b);
    if (i === undefined || j === undefined) continue;
    (c.kind === 'must_link' ? mustLink : cannotLink).push([i, j]);
  }
  return { mustLink, cannotLink };
}
