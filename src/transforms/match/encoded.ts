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
 * Records read back from columns for code written against {@link MatchRecord} (comparisons,
 * blocking keys). A view is one reusable object pointed at a record in place, and reads a field
 * only when asked: comparing millions of pairs allocates nothing, and a comparison the engine
 * settles from the ids alone (equal, or one side empty) never touches the dictionaries, whose
 * random reads are most of what comparing costs at a million records.
 */
export class RecordView implements MatchRecord {
  private i = 0;
  private readonly enc: EncodedRecords;

  constructor(private readonly views: RecordViews) {
    this.enc = views.enc;
  }

  fill(i: number): this {
    this.i = i;
    return this;
  }

  get source(): string {
    return this.enc.sources[this.enc.source[this.i]!]!;
  }
  get key(): string {
    return '';
  }
  get given(): string {
    return this.enc.dicts.given[this.enc.ids.given[this.i]!]!;
  }
  get family(): string {
    return this.enc.dicts.family[this.enc.ids.family[this.i]!]!;
  }
  get givenPh(): string {
    return this.enc.givenPh[this.enc.ids.given[this.i]!]!;
  }
  get familyPh(): string {
    return this.enc.familyPh[this.enc.ids.family[this.i]!]!;
  }
  get dob(): string {
    return this.enc.dicts.dob[this.enc.ids.dob[this.i]!]!;
  }
  get email(): string {
    return this.enc.dicts.email[this.enc.ids.email[this.i]!]!;
  }
  get phone(): string {
    return this.enc.dicts.phone[this.enc.ids.phone[this.i]!]!;
  }
  get address(): string {
    return this.enc.dicts.address[this.enc.ids.address[this.i]!]!;
  }
  get city(): string {
    return this.enc.dicts.city[this.enc.ids.city[this.i]!]!;
  }
  get postcode(): string {
    return this.enc.dicts.postcode[this.enc.ids.postcode[this.i]!]!;
  }
  get region(): string {
    return this.enc.dicts.region[this.enc.ids.region[this.i]!]!;
  }
  get nid(): string {
    return this.enc.dicts.nid[this.enc.ids.nid[this.i]!]!;
  }
  get tax(): string {
    return this.enc.dicts.tax[this.enc.ids.tax[this.i]!]!;
  }
  get company(): string {
    return this.enc.dicts.company[this.enc.ids.company[this.i]!]!;
  }
  get addressWords(): string[] {
    return this.views.words('address', this.enc.ids.address[this.i]!);
  }
  get companyWords(): string[] {
    return this.views.words('company', this.enc.ids.company[this.i]!);
  }
}

/** Word lists per distinct address and company (bounded caches), and reusable record views. */
export class RecordViews {
  private readonly cache = { address: new Map<number, string[]>(), company: new Map<number, string[]>() };

  constructor(readonly enc: EncodedRecords) {}

  /** A new reusable view (see {@link RecordView}). */
  view(): RecordView {
    return new RecordView(this);
  }

  words(field: 'address' | 'company', id: number): string[] {
    if (id === 0) return [];
    const cache = this.cache[field];
    let w = cache.get(id);
    if (!w) {
      w = wordsOf(this.enc.dicts[field][id]!);
      // Addresses are nearly all distinct: bound the cache rather than keep one list per record.
      if (cache.size > 100_000) cache.clear();
      cache.set(id, w);
    }
    return w;
  }
}
