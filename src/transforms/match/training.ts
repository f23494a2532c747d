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
export const MAX_TRAINING_BLOCK = 50;
/** Pairs sampled per training rule at most. */
export const TRAINING_SAMPLE = 25_000;
