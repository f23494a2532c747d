import type { MatchRecord } from './features.js';

/** A blocking rule: zero or more keys per record; records sharing a key become candidates. */
export interface BlockingRule {
  name: string;
  /** Comparisons the rule's key fixes (fully or partly): left out when training on its pairs. */
  fields: readonly string[];
  keys(r: MatchRecord): string[];
}

const one = (k: string | false | undefined): string[] => (k ? [k] : []);

/**
 * Default rules. Each catches duplicates the others miss: a typo in the name is caught by the
 * birth date or the e-mail, a typo in the birth date by the name keys, swapped names by the
 * sorted phonetic pair.
 */
export const DEFAULT_BLOCKING_RULES: readonly BlockingRule[] = [
  { name: 'birth_date', fields: ['birth_date'], keys: (r) => one(r.dob.length >= 6 && r.dob) },
  { name: 'family_phonetic+given_initial', fields: ['family_name', 'given_name'], keys: (r) => one(r.familyPh && r.given && `${r.familyPh}|${r.given[0]}`) },
  { name: 'given_phonetic+family_initial', fields: ['family_name', 'given_name'], keys: (r) => one(r.givenPh && r.family && `${r.givenPh}|${r.family[0]}`) },
  {
    name: 'names_phonetic_any_order',
    fields: ['family_name', 'given_name'],
    keys: (r) => one(r.givenPh && r.familyPh && [r.givenPh, r.familyPh].sort().join('|')),
  },
  { name: 'postcode+family_prefix', fields: ['postal_code', 'family_name'], keys: (r) => one(r.postcode && r.family && `${r.postcode}|${r.family.slice(0, 2)}`) },
  { name: 'postcode+given_prefix', fields: ['postal_code', 'given_name'], keys: (r) => one(r.postcode && r.given && `${r.postcode}|${r.given.slice(0, 2)}`) },
  // The same street address, whatever the name: organisations listed under names that share no word.
  { name: 'address', fields: ['address'], keys: (r) => one(r.address.length >= 6 && /\d/.test(r.address) && r.address) },
  { name: 'postcode+address_number', fields: ['postal_code', 'address'], keys: (r) => one(r.postcode && /^\d+/.test(r.address) && `${r.postcode}|${/^\d+/.exec(r.address)![0]}`) },
  { name: 'given_phonetic+birth_year', fields: ['given_name', 'birth_date'], keys: (r) => one(r.givenPh && r.dob.length === 8 && `${r.givenPh}|${r.dob.slice(0, 4)}`) },
  { name: 'family_phonetic+birth_year', fields: ['family_name', 'birth_date'], keys: (r) => one(r.familyPh && r.dob.length === 8 && `${r.familyPh}|${r.dob.slice(0, 4)}`) },
  { name: 'email', fields: ['email'], keys: (r) => one(r.email) },
  {
    name: 'email_mailbox',
    fields: ['email'],
    // The same mailbox name at another provider, or with a typo in the domain.
    keys: (r) => {
      const local = r.email.slice(0, r.email.indexOf('@'));
      return one(local.length >= 4 && local);
    },
  },
  { name: 'phone', fields: ['phone'], keys: (r) => one(r.phone.length >= 6 && r.phone.slice(-8)) },
  { name: 'national_id', fields: ['national_id'], keys: (r) => one(r.nid) },
  { name: 'tax_id', fields: ['tax_id'], keys: (r) => one(r.tax) },
  { name: 'company', fields: ['company_name'], keys: (r) => one(r.company) },
  { name: 'company_prefix+postcode', fields: ['company_name', 'postal_code'], keys: (r) => one(r.company && r.postcode && `${r.company.slice(0, 4)}|${r.postcode}`) },
  { name: 'company_prefix+phone', fields: ['company_name', 'phone'], keys: (r) => one(r.company && r.phone && `${r.company.slice(0, 3)}|${r.phone.slice(-4)}`) },
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
