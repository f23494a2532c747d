import type { BlockingRule } from './blocking.js';
import type { MatchRecord } from './features.js';

/**
 * Rules that pick the pairs the model learns m from. They are stricter than the blocking rules
 * on purpose (as Splink advises): among pairs that share a birth date, or a full name, or an
 * e-mail, duplicates are common enough for EM to find them. Loose rules such as "same postcode
 * and name prefix" are full of neighbours, and EM then learns "lives in the same town" as "is the
 * same person".
 *
 * `fields` lists what a rule fixes plus everything that moves with it: a rule on the address
 * also fixes city, postcode and region, which agree whenever the address does.
 */
const LOCATION = ['address', 'city', 'postal_code', 'region'];

const one = (k: string | false | undefined): string[] => (k ? [k] : []);

export const TRAINING_RULES: readonly BlockingRule[] = [
  { name: 'train:birth_date', fields: ['birth_date'], keys: (r) => one(r.dob.length === 8 && r.dob) },
  { name: 'train:full_name', fields: ['given_name', 'family_name'], keys: (r) => one(r.given && r.family && `${r.given}|${r.family}`) },
  { name: 'train:email', fields: ['email'], keys: (r) => one(r.email) },
  { name: 'train:phone', fields: ['phone'], keys: (r) => one(r.phone.length >= 7 && r.phone) },
  { name: 'train:address', fields: LOCATION, keys: (r) => one(r.address && `${r.address}|${r.postcode || r.city}`) },
  { name: 'train:company', fields: ['company_name'], keys: (r) => one(r.company) },
  { name: 'train:national_id', fields: ['national_id'], keys: (r) => one(r.nid) },
];

/** Largest block a training rule samples from: a value shared by more says little. */
const MAX_TRAINING_BLOCK = 50;
const SAMPLE = 50_000;

/** Per training rule, a deterministic sample of the pairs its blocks hold. */
export function trainingSamples(
  records: readonly MatchRecord[],
  allowed?: (i: number, j: number) => boolean,
): { fields: readonly string[]; a: Int32Array; b: Int32Array }[] {
  const out: { fields: readonly string[]; a: Int32Array; b: Int32Array }[] = [];
  for (const rule of TRAINING_RULES) {
    const blocks = new Map<string, number[]>();
    records.forEach((r, i) => {
      for (const k of rule.keys(r)) {
        const list = blocks.get(k);
        if (list) list.push(i);
        else blocks.set(k, [i]);
      }
    });
    const sa: number[] = [];
    const sb: number[] = [];
    let seen = 0;
    let seed = 0x2545f491;
    for (const m of blocks.values()) {
      if (m.length < 2 || m.length > MAX_TRAINING_BLOCK) continue;
      for (let x = 0; x < m.length; x++) {
        for (let y = x + 1; y < m.length; y++) {
          const i = m[x]!;
          const j = m[y]!;
          if (allowed && !allowed(i, j)) continue;
          seen++;
          if (sa.length < SAMPLE) {
            sa.push(i);
            sb.push(j);
          } else {
            seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
            const slot = seed % seen;
            if (slot < SAMPLE) {
              sa[slot] = i;
              sb[slot] = j;
            }
          }
        }
      }
    }
    out.push({ fields: rule.fields, a: Int32Array.from(sa), b: Int32Array.from(sb) });
  }
  return out;
}
