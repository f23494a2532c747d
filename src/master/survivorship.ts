import { z } from 'zod';
import type { Config, SurvivorshipRule } from '../config/schema.js';
import { CANONICAL_FIELDS, type CanonicalField, type CanonicalValues } from '../core/fields.js';

/** A record as survivorship sees it: its identity and canonical values. */
export interface SurvivorRecord {
  source: string;
  key: string;
  values: CanonicalValues;
}

export const provenanceSchema = z.object({
  source: z.string(),
  key: z.string(),
  /** The configured rule that chose the value, or `only_value` when the records agreed. */
  rule: z.enum(['source_priority', 'most_recent', 'most_complete', 'most_frequent', 'longest', 'only_value']),
});
/** Where a golden value came from and why it won. */
export type Provenance = z.infer<typeof provenanceSchema>;

export type GoldenValues = Record<CanonicalField, string | null>;
export type GoldenProvenance = Partial<Record<CanonicalField, Provenance>>;

/** Per field, the rule and the trust order of sources (most trusted first). */
export type SurvivalPolicy = Record<CanonicalField, { rule: SurvivorshipRule; trust: readonly string[] }>;

/**
 * The policy of a configuration: `survivorship.fields` where given, else `source_updated_at`
 * most recent and every other field `survivorship.default` (most frequent). Trust order: the
 * field's `sources`, else `survivorship.source_priority`, else the order of `sources:`.
 */
export function survivalPolicy(config: Pick<Config, 'sources' | 'survivorship'>): SurvivalPolicy {
  const s = config.survivorship;
  const globalTrust = s.source_priority ?? config.sources.map((x) => x.name);
  const policy = {} as SurvivalPolicy;
  for (const f of CANONICAL_FIELDS) {
    const given = s.fields[f];
    const rule = typeof given === 'string' ? given : (given?.rule ?? (f === 'source_updated_at' ? 'most_recent' : s.default));
    const trust = typeof given === 'object' && given.sources ? given.sources : globalTrust;
    policy[f] = { rule, trust };
  }
  return policy;
}

interface Entry {
  value: string;
  rec: SurvivorRecord;
  freq: number;
  recency: string;
  priority: number;
  completeness: number;
}

type Criterion = (a: Entry, b: Entry) => number;
const byFreq: Criterion = (a, b) => b.freq - a.freq;
const byRecency: Criterion = (a, b) => (a.recency < b.recency ? 1 : a.recency > b.recency ? -1 : 0);
const byPriority: Criterion = (a, b) => a.priority - b.priority;
const byCompleteness: Criterion = (a, b) => b.completeness - a.completeness;
const byLength: Criterion = (a, b) => Array.from(b.value).length - Array.from(a.value).length;
// Last resort, independent of the order records arrive in: the same members give the same golden record.
const byIdentity: Criterion = (a, b) =>
  a.rec.source < b.rec.source ? -1 : a.rec.source > b.rec.source ? 1 : a.rec.key < b.rec.key ? -1 : a.rec.key > b.rec.key ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0;

/** Each rule, then its tie-breaks: the most sensible next question for that rule. */
const ORDER: Record<SurvivorshipRule, Criterion[]> = {
  most_frequent: [byFreq, byRecency, byPriority, byIdentity],
  most_recent: [byRecency, byFreq, byPriority, byIdentity],
  source_priority: [byPriority, byRecency, byFreq, byIdentity],
  most_complete: [byCompleteness, byRecency, byPriority, byIdentity],
  longest: [byLength, byFreq, byRecency, byPriority, byIdentity],
};

/**
 * Builds a golden record from a customer's records, field by field under `policy`. Every value
 * keeps its provenance: the source and key of the record it came from and the rule that chose it.
 * Pure and order-independent.
 */
export function surviveGolden(members: readonly SurvivorRecord[], policy: SurvivalPolicy): { values: GoldenValues; provenance: GoldenProvenance } {
  const values = {} as GoldenValues;
  const provenance: GoldenProvenance = {};
  if (members.length === 1) {
    // Most customers have one record (at a million generated records, seven in ten): its values,
    // each the only one, as the rules below would find.
    const r = members[0]!;
    for (const f of CANONICAL_FIELDS) {
      const v = r.values[f];
      values[f] = v || null;
      if (v) provenance[f] = { source: r.source, key: r.key, rule: 'only_value' };
    }
    return { values, provenance };
  }
  const completeness = new Map<SurvivorRecord, number>();
  for (const r of members) completeness.set(r, CANONICAL_FIELDS.reduce((n, f) => n + (r.values[f] ? 1 : 0), 0));
  for (const f of CANONICAL_FIELDS) {
    const { rule, trust } = policy[f];
    const freq = new Map<string, number>();
    for (const r of members) {
      const v = r.values[f];
      if (v) freq.set(v, (freq.get(v) ?? 0) + 1);
    }
    if (!freq.size) {
      values[f] = null;
      continue;
    }
    const entries: Entry[] = [];
    for (const r of members) {
      const v = r.values[f];
      if (!v) continue;
      const p = trust.indexOf(r.source);
      entries.push({ value: v, rec: r, freq: freq.get(v)!, recency: r.values.source_updated_at ?? '', priority: p < 0 ? trust.length : p, completeness: completeness.get(r)! });
    }
    const order = ORDER[rule];
    entries.sort((a, b) => {
      for (const c of order) {
        const d = c(a, b);
        if (d) return d;
      }
      return 0;
    });
    const win = entries[0]!;
    values[f] = win.value;
    provenance[f] = { source: win.rec.source, key: win.rec.key, rule: freq.size === 1 ? 'only_value' : rule };
  }
  return { values, provenance };
}

/** Short codes of the rules in a stored provenance. */
const RULE_CODES: Readonly<Record<Provenance['rule'], string>> = {
  source_priority: 'p',
  most_recent: 'r',
  most_complete: 'c',
  most_frequent: 'f',
  longest: 'l',
  only_value: 'o',
};
const RULE_OF_CODE: ReadonlyMap<string, Provenance['rule']> = new Map(Object.entries(RULE_CODES).map(([rule, code]) => [code, rule as Provenance['rule']]));

/**
 * A golden record's provenance as stored (`customers.provenance`): `[1, records, fields]`, the
 * records its values came from as `[source, key]` pairs, each once, and per field `[the index of
 * its record, the rule's code]`. The named form (`{"email": {"source": …, "key": …, "rule": …}}`)
 * repeated the source and key for every field: 752 bytes a customer on generated data, two thirds
 * of a customers row and some 500 MB of a million-record load. {@link decodeProvenance} reads both.
 */
export function encodeProvenance(p: GoldenProvenance): string {
  // The JSON of `[1, records, fields]` written out directly (the same text): a customer's few
  // records are found by a scan, and only sources and keys need JSON's escaping. Building the
  // arrays and a Map to stringify them was a sixth of a full run's golden records.
  const sources: string[] = [];
  const keys: string[] = [];
  let records = '';
  let fields = '';
  for (const f in p) {
    const v = p[f as CanonicalField]!;
    let i = 0;
    while (i < sources.length && (sources[i] !== v.source || keys[i] !== v.key)) i++;
    if (i === sources.length) {
      sources.push(v.source);
      keys.push(v.key);
      records += `${i ? ',' : ''}[${JSON.stringify(v.source)},${JSON.stringify(v.key)}]`;
    }
    fields += `${fields ? ',' : ''}${JSON.stringify(f)}:[${i},"${RULE_CODES[v.rule]}"]`;
  }
  return `[1,[${records}],{${fields}}]`;
}

/** A stored provenance (the text or its parsed JSON) in the named form, whichever form it was stored in. */
export function decodeProvenance(stored: unknown): GoldenProvenance {
  const value = typeof stored === 'string' ? (JSON.parse(stored) as unknown) : stored;
  if (!Array.isArray(value)) return (value ?? {}) as GoldenProvenance;
  const [, records, fields] = value as [1, [string, string][], Record<string, [number, string]>];
  const out: GoldenProvenance = {};
  for (const [f, [i, code]] of Object.entries(fields)) {
    const [source, key] = records[i]!;
    out[f as CanonicalField] = { source, key, rule: RULE_OF_CODE.get(code) ?? (code as Provenance['rule']) };
  }
  return out;
}

/** A stored provenance in the stored form {@link encodeProvenance} writes now, for comparing with a new one. */
export function storedProvenanceText(stored: string): string {
  return stored.startsWith('[') ? stored : encodeProvenance(decodeProvenance(stored));
}
