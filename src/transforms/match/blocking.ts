import type { EncodedField } from './encoded.js';
import type { MatchRecord } from './features.js';

/**
 * Part of a blocking key taken from one field's value (and, for names, its phonetic code);
 * '', false or undefined: no key.
 */
export type KeyPart = ((value: string, phonetic: string) => string | false | undefined) & {
  /** The part is the value itself or nothing: the engine uses the value's dictionary id as is. */
  identity?: true;
};

/** The value itself as a key part, where `accept` (if given) holds. */
export function whole(accept?: (v: string) => boolean): KeyPart {
  return Object.assign((v: string) => (!accept || accept(v)) && v, { identity: true as const });
}

/** How a rule's key is built from the record's fields; the engine computes each part once per distinct value. */
export type KeySpec =
  | { on: EncodedField; part: KeyPart }
  /** Two parts joined by '|'; `symmetric`: the two in sorted order (names in either order). */
  | { on: readonly [EncodedField, EncodedField]; parts: readonly [KeyPart, KeyPart]; symmetric?: boolean }
  /** Any function of the record (slowest: computed per record). */
  | { record: (r: MatchRecord) => string | false | undefined };

/** A blocking rule: at most one key per record; records sharing a key become candidates. */
export interface BlockingRule {
  name: string;
  /** Comparisons the rule's key fixes (fully or partly): left out when training on its pairs. */
  fields: readonly string[];
  by: KeySpec;
}

function phoneticOf(r: MatchRecord, field: EncodedField): string {
  return field === 'given' ? r.givenPh : field === 'family' ? r.familyPh : '';
}

/** The key of `r` under `rule`, or undefined (the same key the engine computes from columns). */
export function ruleKey(rule: BlockingRule, r: MatchRecord): string | undefined {
  const by = rule.by;
  if ('record' in by) return by.record(r) || undefined;
  if ('part' in by) return by.part(r[by.on], phoneticOf(r, by.on)) || undefined;
  const a = by.parts[0](r[by.on[0]], phoneticOf(r, by.on[0]));
  const b = by.parts[1](r[by.on[1]], phoneticOf(r, by.on[1]));
  if (!a || !b) return undefined;
  return by.symmetric && b < a ? `${b}|${a}` : `${a}|${b}`;
}

const value = whole();
const phonetic: KeyPart = (_, ph) => ph;
const initial: KeyPart = (v) => v[0];
const prefix =
  (n: number): KeyPart =>
  (v) =>
    v.slice(0, n);
const birthYear: KeyPart = (v) => v.length === 8 && v.slice(0, 4);

/**
 * Default rules. Each catches duplicates the others miss: a typo in the name is caught by the
 * birth date or the e-mail, a typo in the birth date by the name keys, swapped names by the
 * sorted phonetic pair.
 */
export const DEFAULT_BLOCKING_RULES: readonly BlockingRule[] = [
  { name: 'birth_date', fields: ['birth_date'], by: { on: 'dob', part: whole((v) => v.length >= 6) } },
  { name: 'family_phonetic+given_initial', fields: ['family_name', 'given_name'], by: { on: ['family', 'given'], parts: [phonetic, initial] } },
  { name: 'given_phonetic+family_initial', fields: ['family_name', 'given_name'], by: { on: ['given', 'family'], parts: [phonetic, initial] } },
  { name: 'names_phonetic_any_order', fields: ['family_name', 'given_name'], by: { on: ['given', 'family'], parts: [phonetic, phonetic], symmetric: true } },
  { name: 'postcode+family_prefix', fields: ['postal_code', 'family_name'], by: { on: ['postcode', 'family'], parts: [value, prefix(2)] } },
  { name: 'postcode+given_prefix', fields: ['postal_code', 'given_name'], by: { on: ['postcode', 'given'], parts: [value, prefix(2)] } },
  // The same street address, whatever the name: organisations listed under names that share no word.
  { name: 'address', fields: ['address'], by: { on: 'address', part: whole((v) => v.length >= 6 && /\d/.test(v)) } },
  { name: 'postcode+address_number', fields: ['postal_code', 'address'], by: { on: ['postcode', 'address'], parts: [value, (v) => /^\d+/.exec(v)?.[0]] } },
  { name: 'given_phonetic+birth_year', fields: ['given_name', 'birth_date'], by: { on: ['given', 'dob'], parts: [phonetic, birthYear] } },
  { name: 'family_phonetic+birth_year', fields: ['family_name', 'birth_date'], by: { on: ['family', 'dob'], parts: [phonetic, birthYear] } },
  { name: 'email', fields: ['email'], by: { on: 'email', part: value } },
  {
    name: 'email_mailbox',
    fields: ['email'],
    // The same mailbox name at another provider, or with a typo in the domain.
    by: {
      on: 'email',
      part: (v) => {
        const local = v.slice(0, v.indexOf('@'));
        return local.length >= 4 && local;
      },
    },
  },
  { name: 'phone', fields: ['phone'], by: { on: 'phone', part: (v) => v.length >= 6 && v.slice(-8) } },
  { name: 'national_id', fields: ['national_id'], by: { on: 'nid', part: value } },
  { name: 'tax_id', fields: ['tax_id'], by: { on: 'tax', part: value } },
  { name: 'company', fields: ['company_name'], by: { on: 'company', part: value } },
  { name: 'company_prefix+postcode', fields: ['company_name', 'postal_code'], by: { on: ['company', 'postcode'], parts: [prefix(4), value] } },
  { name: 'company_prefix+phone', fields: ['company_name', 'phone'], by: { on: ['company', 'phone'], parts: [prefix(3), (v) => v.slice(-4)] } },
];

export interface BlockingRuleReport {
  rule: string;
  blocks: number;
  /** Pairs this rule's blocks give (before union with the other rules). */
  comparisons: number;
  /** Blocks dropped because they held more than `maxBlockSize` records. */
  oversizedBlocks: number;
  largestOversized?: number;
}
