import type { Knex } from 'knex';
import type { Config } from '../config/schema.js';
import { CrmEtlError } from '../core/errors.js';
import { CANONICAL_FIELDS } from '../core/fields.js';
import type { FieldCipher } from '../security/field-cipher.js';
import { maskValue } from '../core/mask.js';
import { PERSONAL_FIELDS, maskPersonal } from '../security/roles.js';
import { formatPhoneValue, standardizeEmail, standardizePhone } from '../transforms/standardize/index.js';
import { expandExplanation } from '../transforms/match/model.js';
import { decodeProvenance } from '../master/survivorship.js';

const PERSONAL = new Set<string>(PERSONAL_FIELDS);
const iso = (v: unknown): string | null => (v == null ? null : new Date(v as string | Date).toISOString());
const parseJson = (v: unknown): unknown => (typeof v === 'string' && v !== '' ? (JSON.parse(v) as unknown) : null);

/** One run as listed. */
export interface RunRow {
  id: string;
  status: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  records: number | null;
  customers: number | null;
  quality: number | null;
  error: string | null;
}

function runRow(r: Record<string, unknown>): RunRow & { summary: Record<string, unknown> | null } {
  const summary = parseJson(r.summary) as Record<string, unknown> | null;
  const s = summary as { durationMs?: number; matching?: { records?: number }; master?: { customers?: number }; quality?: { overall?: number }; error?: string } | null;
  return {
    id: String(r.id),
    status: String(r.status),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    durationMs: s?.durationMs ?? null,
    records: s?.matching?.records ?? null,
    customers: s?.master?.customers ?? null,
    quality: s?.quality?.overall ?? null,
    error: s?.error ?? null,
    summary,
  };
}

/** The latest runs, newest first (default 50). */
export async function listRuns(knex: Knex, limit = 50): Promise<RunRow[]> {
  const rows = (await knex('runs').orderBy('started_at', 'desc').orderBy('id', 'desc').limit(limit)) as Record<string, unknown>[];
  return rows.map((r) => {
    const { summary: _omit, ...row } = runRow(r);
    return row;
  });
}

/** One run with its summary (counts, codes and masked examples: no personal values). */
export async function getRun(knex: Knex, id: string): Promise<RunRow & { summary: Record<string, unknown> | null }> {
  const r = (await knex('runs').where({ id }).first()) as Record<string, unknown> | undefined;
  if (!r) throw new CrmEtlError('NOT_FOUND', `no run ${id}`);
  return runRow(r);
}

/** The newest succeeded run's id, or null before the first. */
export async function latestRunId(knex: Knex): Promise<string | null> {
  const r = (await knex('runs').where({ status: 'succeeded' }).orderBy('started_at', 'desc').orderBy('id', 'desc').first('id')) as { id: string } | undefined;
  return r?.id ?? null;
}

/** Quality scores of the newest succeeded run (or of `runId`). */
export async function qualityScores(knex: Knex, runId?: string): Promise<{ runId: string | null; scores: { source: string; field: string; dimension: string; score: number }[] }> {
  const id = runId ?? (await latestRunId(knex));
  if (!id) return { runId: null, scores: [] };
  const rows = (await knex('quality_scores').where({ run_id: id }).orderBy(['source', 'field', 'dimension'])) as Record<string, unknown>[];
  return { runId: id, scores: rows.map((r) => ({ source: String(r.source), field: String(r.field), dimension: String(r.dimension), score: Number(r.score) })) };
}

/** One score over the runs, oldest first (default: the overall score of the last 30 runs). */
export async function qualityTrend(
  knex: Knex,
  opts: { source?: string; field?: string; dimension?: string; limit?: number } = {},
): Promise<{ runId: string; startedAt: string | null; score: number }[]> {
  const rows = (await knex('quality_scores as q')
    .join('runs as r', 'r.id', 'q.run_id')
    .where({ 'q.source': opts.source ?? '*', 'q.field': opts.field ?? '*', 'q.dimension': opts.dimension ?? 'score' })
    .orderBy('r.started_at', 'desc')
    .limit(opts.limit ?? 30)
    .select('q.run_id', 'r.started_at', 'q.score')) as Record<string, unknown>[];
  return rows.reverse().map((r) => ({ runId: String(r.run_id), startedAt: iso(r.started_at), score: Number(r.score) }));
}

/** Escapes LIKE wildcards so a search for "50%_off" matches those characters literally. */
function likeLiteral(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A customer as listed by a search. */
export interface CustomerHit {
  id: string;
  status: string;
  recordCount: number;
  values: Record<string, string | null>;
}

function customerHit(r: Record<string, unknown>, mask: boolean): CustomerHit {
  const values: Record<string, string | null> = {};
  for (const f of CANONICAL_FIELDS) values[f] = (r[f] as string | null) ?? null;
  return { id: String(r.id), status: String(r.status), recordCount: Number(r.record_count), values: maskPersonal(values, mask) };
}

/** The stored form of a standardized value: what the store compares with (encrypted when the field is). */
function storedForm(cipher: FieldCipher | null, field: string, value: string): string {
  return cipher?.fields.has(field) ? cipher.encrypt(field, value) : value;
}

/**
 * Searches customers the way their data is stored: a name (or company) by its standardized
 * words, case-insensitively; an e-mail or phone standardized first (so "Jane.Doe@Example.COM"
 * and "0412 345 678" find what the pipeline stored) and looked up exactly, through the keyed
 * synthetic-IV form when the field is encrypted. Every source record counts, not only the value
 * the golden record kept. At most `limit` (default 20) active customers.
 */
export async function searchCustomers(
  env: { knex: Knex; config: Config; cipher: FieldCipher | null },
  q: { name?: string; email?: string; phone?: string; country?: string; limit?: number },
  mask: boolean,
): Promise<CustomerHit[]> {
  const { knex } = env;
  const limit = Math.min(q.limit ?? 20, 200);
  // Each criterion gives a set of customers; several criteria narrow each other down.
  const sets: Set<string>[] = [];
  const viaRecords = async (field: 'email' | 'phone', value: string): Promise<void> => {
    const stored = storedForm(env.cipher, field, value);
    const rows = (await knex('source_records as s')
      .join('customer_links as l', function () {
        this.on('l.source', '=', 's.source').andOn('l.source_key', '=', 's.source_key');
      })
      .where(`s.${field}`, stored)
      .distinct('l.customer_id')
      .limit(limit)) as { customer_id: string }[];
    sets.push(new Set(rows.map((r) => r.customer_id)));
  };
  if (q.email) {
    const r = standardizeEmail(q.email);
    if (!r.ok) return [];
    await viaRecords('email', r.value);
  }
  if (q.phone) {
    const country = q.country ?? env.config.sources.find((s) => s.country)?.country;
    const r = standardizePhone(q.phone, { country });
    if (!r.ok) return [];
    await viaRecords('phone', formatPhoneValue(r.value));
  }
  if (!sets.length && !q.name?.trim()) return [];
  const ids = sets.length ? [...sets[0]!].filter((id) => sets.every((s) => s.has(id))) : null;
  if (ids && !ids.length) return [];
  const query = knex('customers').where({ status: 'active' }).orderBy('id').limit(limit);
  if (ids) query.whereIn('id', ids);
  if (q.name) {
    const words = q.name.trim().toLowerCase().split(/\s+/).filter(Boolean).slice(0, 5);
    for (const w of words) {
      const pattern = `%${likeLiteral(w)}%`;
      query.andWhere((b) => {
        // Backslash is LIKE's default escape character on PostgreSQL and MySQL alike.
        for (const f of ['full_name', 'given_name', 'family_name', 'company_name']) b.orWhereRaw('lower(??) like ?', [f, pattern]);
      });
    }
  }
  return ((await query) as Record<string, unknown>[]).map((r) => customerHit(r, mask));
}

/** One customer: golden record, provenance, and every source record linked to it. */
export async function getCustomer(knex: Knex, config: Config, id: string, mask: boolean) {
  const r = (await knex('customers').where({ id }).first()) as Record<string, unknown> | undefined;
  if (!r) throw new CrmEtlError('NOT_FOUND', `no customer ${id}`);
  const links = (await knex('customer_links').where({ customer_id: id }).select('source', 'source_key', 'match_probability')) as Record<string, unknown>[];
  const records: { source: string; key: string; line: number | null; location: string; matchProbability: number | null; values: Record<string, string | null> }[] = [];
  for (let i = 0; i < links.length; i += 500) {
    const part = links.slice(i, i + 500);
    const rows = (await knex('source_records').where((b) => {
      for (const l of part) b.orWhere({ source: l.source, source_key: l.source_key });
    })) as Record<string, unknown>[];
    for (const s of rows) {
      const values: Record<string, string | null> = {};
      for (const f of CANONICAL_FIELDS) values[f] = (s[f] as string | null) ?? null;
      const link = part.find((l) => l.source === s.source && l.source_key === s.source_key);
      records.push({
        source: String(s.source),
        key: String(s.source_key),
        line: s.line == null ? null : Number(s.line),
        location: String(s.location),
        matchProbability: link?.match_probability == null ? null : Number(link.match_probability),
        values: maskPersonal(values, mask),
      });
    }
  }
  const order = new Map(config.sources.map((s, i) => [s.name, i]));
  records.sort((a, b) => (order.get(a.source) ?? 1e9) - (order.get(b.source) ?? 1e9) || (a.line ?? 0) - (b.line ?? 0) || (a.key < b.key ? -1 : 1));
  return {
    ...customerHit(r, mask),
    mergedInto: (r.merged_into as string | null) ?? null,
    createdRun: String(r.created_run),
    updatedRun: String(r.updated_run),
    provenance: decodeProvenance(parseJson(r.provenance)),
    records,
  };
}

/** A scored pair of records with both records' values and the model's explanation. */
export interface PairView {
  id: number;
  runId: string;
  probability: number;
  decision: string;
  a: { source: string; key: string; customerId: string | null; values: Record<string, string | null> };
  b: { source: string; key: string; customerId: string | null; values: Record<string, string | null> };
  explanation: unknown;
  review: { decision: string; actor: string; at: string } | null;
}

const PAIR_FIELDS = ['full_name', 'given_name', 'family_name', 'company_name', 'email', 'phone', 'birth_date', 'city', 'postal_code'] as const;

/**
 * Pairs of the newest succeeded run (or `runId`): `decision` link or review, highest
 * probability first; with `pending`, only review pairs nobody decided on yet.
 */
export async function listPairs(knex: Knex, opts: { decision?: 'link' | 'review'; runId?: string; pending?: boolean; limit?: number; mask: boolean }): Promise<PairView[]> {
  const runId = opts.runId ?? (await latestRunId(knex));
  if (!runId) return [];
  const q = knex('match_pairs').where({ run_id: runId }).orderBy('probability', 'desc').orderBy('id').limit(Math.min(opts.limit ?? 100, 1000));
  if (opts.decision) q.andWhere({ decision: opts.decision });
  const pairs = (await q) as Record<string, unknown>[];
  const decisions = await latestDecisions(knex, pairs.map((p) => [String(p.a_source), String(p.a_key), String(p.b_source), String(p.b_key)]));
  const refs = pairs.flatMap((p) => [[String(p.a_source), String(p.a_key)], [String(p.b_source), String(p.b_key)]] as [string, string][]);
  const values = await recordValues(knex, refs);
  const out: PairView[] = [];
  for (const p of pairs) {
    const key = pairKey(String(p.a_source), String(p.a_key), String(p.b_source), String(p.b_key));
    const review = decisions.get(key) ?? null;
    if (opts.pending && review) continue;
    const side = (s: string, k: string) => {
      const v = values.get(`${s}\u0000${k}`);
      return { source: s, key: k, customerId: v?.customerId ?? null, values: maskPersonal(v?.values ?? {}, opts.mask) };
    };
    out.push({
      id: Number(p.id),
      runId,
      probability: Number(p.probability),
      decision: String(p.decision),
      a: side(String(p.a_source), String(p.a_key)),
      b: side(String(p.b_source), String(p.b_key)),
      explanation: expandExplanation(parseJson(p.explanation)),
      review,
    });
  }
  return out;
}

function pairKey(as: string, ak: string, bs: string, bk: string): string {
  const a = `${as}\u0000${ak}`;
  const b = `${bs}\u0000${bk}`;
  return a < b ? `${a}\u0001${b}` : `${b}\u0001${a}`;
}

async function latestDecisions(knex: Knex, pairs: [string, string, string, string][]): Promise<Map<string, { decision: string; actor: string; at: string }>> {
  const out = new Map<string, { decision: string; actor: string; at: string }>();
  if (!pairs.length) return out;
  // Decisions are few (people make them): read them all, latest last.
  const rows = (await knex('review_decisions').orderBy('id')) as Record<string, unknown>[];
  for (const r of rows) {
    out.set(pairKey(String(r.a_source), String(r.a_key), String(r.b_source), String(r.b_key)), { decision: String(r.decision), actor: String(r.actor), at: iso(r.at)! });
  }
  return out;
}

async function recordValues(knex: Knex, refs: [string, string][]): Promise<Map<string, { customerId: string | null; values: Record<string, string | null> }>> {
  const out = new Map<string, { customerId: string | null; values: Record<string, string | null> }>();
  const uniq = [...new Map(refs.map((r) => [`${r[0]}\u0000${r[1]}`, r])).values()];
  for (let i = 0; i < uniq.length; i += 300) {
    const part = uniq.slice(i, i + 300);
    const rows = (await knex('source_records as s')
      .leftJoin('customer_links as l', function () {
        this.on('l.source', '=', 's.source').andOn('l.source_key', '=', 's.source_key');
      })
      .where((b) => {
        for (const [s, k] of part) b.orWhere({ 's.source': s, 's.source_key': k });
      })
      .select('s.source', 's.source_key', 'l.customer_id', ...PAIR_FIELDS.map((f) => `s.${f}`))) as Record<string, unknown>[];
    for (const r of rows) {
      const values: Record<string, string | null> = {};
      for (const f of PAIR_FIELDS) values[f] = (r[f] as string | null) ?? null;
      out.set(`${String(r.source)}\u0000${String(r.source_key)}`, { customerId: (r.customer_id as string | null) ?? null, values });
    }
  }
  return out;
}

/** A rejected value or malformed row as the API shows it. */
export interface RejectView {
  id: number;
  runId: string;
  source: string;
  key: string | null;
  location: string;
  line: number | null;
  field: string | null;
  value: string | null;
  code: string;
  reason: string;
}

/**
 * Rejected values and malformed rows, in the order they were found (by id, from `after`): by
 * default those of the runs whose staged data is current (as `crm-etl export rejects`), or of
 * one run. Values of sensitive fields and raw rows are stored encrypted and read back in clear;
 * with `mask` (viewers), the value of a personal field or a raw row is masked, and so are the
 * digits in the reason for a personal field (a date's reason may quote part of it).
 */
export async function listRejects(
  knex: Knex,
  opts: { runId?: string; source?: string; field?: string; code?: string; after?: number; limit?: number },
  mask: boolean,
): Promise<RejectView[]> {
  const q = knex('rejects')
    .select('id', 'run_id', 'source', 'source_key', 'location', 'line', 'field', 'value', 'code', 'reason')
    .orderBy('id')
    .limit(Math.min(opts.limit ?? 100, 1000));
  if (opts.runId) q.where({ run_id: opts.runId });
  else q.whereIn('run_id', knex('source_records').distinct('run_id'));
  if (opts.source) q.where({ source: opts.source });
  if (opts.field) q.where({ field: opts.field });
  if (opts.code) q.where({ code: opts.code });
  if (opts.after) q.where('id', '>', opts.after);
  return ((await q) as Record<string, unknown>[]).map((r) => {
    const field = (r.field as string | null) ?? null;
    const personal = field === null || PERSONAL.has(field);
    const value = (r.value as string | null) ?? null;
    return {
      id: Number(r.id),
      runId: String(r.run_id),
      source: String(r.source),
      key: (r.source_key as string | null) ?? null,
      location: String(r.location),
      line: r.line == null ? null : Number(r.line),
      field,
      value: mask && personal && value !== null ? maskValue(value) : value,
      code: String(r.code),
      // A reason quotes digits at most ("Day 31 does not exist in 1990-02"): those are masked.
      reason: mask && field !== null && PERSONAL.has(field) ? String(r.reason).replace(/\p{N}/gu, '•') : String(r.reason),
    };
  });
}
