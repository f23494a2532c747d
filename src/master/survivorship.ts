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
