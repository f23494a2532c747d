import type { MatchRecord } from './features.js';
import { wordsOf } from './features.js';

/** The text fields of a {@link MatchRecord} that comparisons and blocking read. */
export const ENCODED_FIELDS = ['given', 'family', 'dob', 'email', 'phone', 'address', 'city', 'postcode', 'region', 'nid', 'tax', 'company'] as const;
export type EncodedField = (typeof ENCODED_FIELDS)[number];

/**
 * Match records in columns: per field, the distinct values once and an index per record. Shared
 * with worker threads as is: the index columns live in SharedArrayBuffers (4 bytes a record and
 * field), the dictionaries are copied once. A million records as objects would cost each worker
 * some 600 MB; in columns they cost about 50 MB plus the distinct values.
 */
export interface EncodedRecords {
  n: number;
  sources: string[];
  /** Source index per record. */
  source: Int32Array;
  /** Per field, its distinct values; index 0 is always '' (no value). */
  dicts: Record<EncodedField, string[]>;
  /** Per field, the dictionary index of each record's value. */
  ids: Record<EncodedField, Int32Array>;
  /** Phonetic codes, per entry of the given and family dictionaries. */
  givenPh: string[];
  familyPh: string[];
}

function sharedInt32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(n, 1) * 4), 0, n);
}

/** Encodes match records into columns (see {@link EncodedRecords}). */
export function encodeRecords(records: readonly MatchRecord[]): EncodedRecords {
  const n = records.length;
  const sources: string[] = [];
  const sourceIndex = new Map<string, number>();
  const source = sharedInt32(n);
  const dicts = {} as Record<EncodedField, string[]>;
  const ids = {} as Record<EncodedField, Int32Array>;
  const givenPh: string[] = [''];
  const familyPh: string[] = [''];
  for (const f of ENCODED_FIELDS) {
    dicts[f] = [''];
    ids[f] = sharedInt32(n);
  }
  const index = ENCODED_FIELDS.map(() => new Map<string, number>([['', 0]]));
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    let s = sourceIndex.get(r.source);
    if (s === undefined) {
      sourceIndex.set(r.source, (s = sources.length));
      sources.push(r.source);
    }
    source[i] = s;
    for (let f = 0; f < ENCODED_FIELDS.length; f++) {
      const field = ENCODED_FIELDS[f]!;
      const v = r[field];
      const map = index[f]!;
      let id = map.get(v);
      if (id === undefined) {
        const dict = dicts[field];
        map.set(v, (id = dict.length));
        dict.push(v);
        if (field === 'given') givenPh.push(r.givenPh);
        else if (field === 'family') familyPh.push(r.familyPh);
      }
      ids[field][i] = id;
    }
  }
  return { n, sources, source, dicts, ids, givenPh, familyPh };
}

/**
 * Rebuilds records from columns, on demand, for code written against {@link MatchRecord}
 * (comparisons, blocking keys). Word lists are computed once per distinct value.
 */
export class RecordViews {
  private readonly addressWords = new Map<number, string[]>();
  private readonly companyWords = new Map<number, string[]>();

  constructor(readonly enc: EncodedRecords) {}

  view(i: number): MatchRecord {
    const { dicts, ids } = this.enc;
    const g = ids.given[i]!;
    const fa = ids.family[i]!;
    const ad = ids.address[i]!;
    const co = ids.company[i]!;
    return {
      source: this.enc.sources[this.enc.source[i]!]!,
      key: '',
      given: dicts.given[g]!,
      family: dicts.family[fa]!,
      givenPh: this.enc.givenPh[g]!,
      familyPh: this.enc.familyPh[fa]!,
      dob: dicts.dob[ids.dob[i]!]!,
      email: dicts.email[ids.email[i]!]!,
      phone: dicts.phone[ids.phone[i]!]!,
      address: dicts.address[ad]!,
      addressWords: words(this.addressWords, ad, dicts.address),
      city: dicts.city[ids.city[i]!]!,
      postcode: dicts.postcode[ids.postcode[i]!]!,
      region: dicts.region[ids.region[i]!]!,
      nid: dicts.nid[ids.nid[i]!]!,
      tax: dicts.tax[ids.tax[i]!]!,
      company: dicts.company[co]!,
      companyWords: words(this.companyWords, co, dicts.company),
    };
  }
}

function words(cache: Map<number, string[]>, id: number, dict: readonly string[]): string[] {
  if (id === 0) return [];
  let w = cache.get(id);
  if (!w) {
    w = wordsOf(dict[id]!);
    // Addresses are nearly all distinct: bound the cache rather than keep one list per record.
    if (cache.size > 100_000) cache.clear();
    cache.set(id, w);
  }
  return w;
}
