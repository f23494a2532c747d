import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { CrmEtlError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import { COMPARISONS, DEFAULT_BLOCKING_RULES, ruleKey, type MatchModel, type MatchRecord, type TermFrequencies } from '../transforms/match/index.js';
import { CHUNK, type RecordRef, refChunks } from './store-io.js';

/**
 * 16 hex characters of SHA-1: a fixed-width, indexable stand-in for a blocking key or a value
 * (keys can be long, and MySQL indexes only a prefix of text). 64 bits: collisions only add a
 * candidate that scoring then rejects.
 */
export function hash16(s: string): string {
  return createHash('sha1').update(s).digest('hex').slice(0, 16);
}

/** The blocking keys of a record, hashed with their rule's name (the same key under two rules is two keys). */
export function blockingKeyHashes(r: MatchRecord): string[] {
  const out = new Set<string>();
  for (const rule of DEFAULT_BLOCKING_RULES) {
    const k = ruleKey(rule, r);
    if (k) out.add(hash16(`${rule.name}\u0000${k}`));
  }
  return [...out];
}

const BLOCKING_KEY_COLUMNS = ['source', 'source_key', 'key_hash'] as const;
const TF_COLUMNS = ['run_id', 'comparison', 'value_hash', 'frequency'] as const;

function* keyRows(mrs: readonly MatchRecord[]): Generator<unknown[][]> {
  let batch: unknown[][] = [];
  for (const r of mrs) {
    for (const h of blockingKeyHashes(r)) batch.push([r.source, r.key, h]);
    if (batch.length >= 50_000) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

async function* asAsync<T>(it: Iterable<T>): AsyncGenerator<T> {
  yield* it;
}

/**
 * After a full match: the blocking keys of every record and the term frequencies the model
 * scored with, so that a later incremental run finds candidates by key and scores exactly as
 * the full run did. Replaces what an earlier full run stored.
 */
export async function writeMatchIndex(store: Store, runId: string, mrs: readonly MatchRecord[], tf: TermFrequencies): Promise<void> {
  await store.transaction(async (trx) => {
    await trx('blocking_keys').delete();
    await store.insertRows('blocking_keys', BLOCKING_KEY_COLUMNS, asAsync(keyRows(mrs)), trx);
    await trx('match_term_frequencies').delete();
    const rows: unknown[][] = [];
    tf.forEach((m, f) => {
      if (m) for (const [v, p] of m) rows.push([runId, f, hash16(v), p]);
    });
    if (rows.length) await store.insertRows('match_term_frequencies', TF_COLUMNS, rows, trx);
  });
}

/** Replaces the blocking keys of some records (changed, new or gone) after an incremental match. */
export async function replaceBlockingKeys(store: Store, trx: Knex.Transaction, removed: readonly RecordRef[], mrs: readonly MatchRecord[]): Promise<void> {
  for (const { source, keys } of refChunks([...removed, ...mrs])) await trx('blocking_keys').where({ source }).whereIn('source_key', keys).delete();
  await store.insertRows('blocking_keys', BLOCKING_KEY_COLUMNS, asAsync(keyRows(mrs)), trx);
}

/** The model of the latest full match, with the base's record count and its run. */
export interface StoredModel {
  runId: string;
  model: MatchModel;
  recordCount: number;
}

/** The latest stored model; NOT_FOUND when no run has matched yet. */
export async function loadStoredModel(store: Store): Promise<StoredModel> {
  const row = (await store.knex('match_models').select('run_id', 'model').orderBy('run_id', 'desc').first()) as { run_id: string; model: string } | undefined;
  if (!row) throw new CrmEtlError('NOT_FOUND', 'no run has matched yet: run `crm-etl run` first');
  const model = JSON.parse(row.model) as MatchModel & { recordCount?: number };
  let recordCount = model.recordCount;
  if (recordCount === undefined) {
    // A model stored before record counts were: the live records now are the closest figure.
    const n = (await store.knex('source_records').where({ deleted: false }).count({ n: '*' })) as { n: number | string }[];
    recordCount = Number(n[0]!.n);
  }
  return { runId: row.run_id, model, recordCount };
}

/**
 * Term frequencies of the values `mrs` hold, as the full run computed them over the whole base
 * (a value the base did not hold scores without adjustment, as a full run would score a value it
 * did not count).
 */
export async function loadTermFrequencies(store: Store, runId: string, mrs: readonly MatchRecord[]): Promise<TermFrequencies> {
  return Promise.all(
    COMPARISONS.map(async (c, f) => {
      const field = c.tf;
      if (!field) return null;
      const byHash = new Map<string, string>();
      for (const r of mrs) {
        const v = r[field];
        if (v) byHash.set(hash16(v), v);
      }
      const out = new Map<string, number>();
      const hashes = [...byHash.keys()];
      for (let i = 0; i < hashes.length; i += CHUNK) {
        const rows = (await store.knex('match_term_frequencies').select('value_hash', 'frequency').where({ run_id: runId, comparison: f }).whereIn('value_hash', hashes.slice(i, i + CHUNK))) as { value_hash: string; frequency: number }[];
        for (const r of rows) out.set(byHash.get(r.value_hash)!, Number(r.frequency));
      }
      return out;
    }),
  );
}
