import type { MatchRecord } from './features.js';
import { wordsOf } from './features.js';

/** The text fields of a {@link MatchRecord} that comparisons and blocking read. */
export const ENCODED_FIELDS = ['given', 'family', 'dob', 'email', 'phone', 'address', 'city', 'postcode', 'region', 'nid', 'tax', 'company'] as const;
export type EncodedField = (typeof ENCODED_FIELDS)[number];
/** Fields per row of {@link EncodedRecords.rows}. */
export const NF = ENCODED_FIELDS.length;
const F_GIVEN = ENCODED_FIELDS.indexOf('given');
const F_FAMILY = ENCODED_FIELDS.indexOf('family');
const F_ADDRESS = ENCODED_FIELDS.indexOf('address');
const F_COMPANY = ENCODED_FIELDS.indexOf('company');

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
  /**
   * The same indexes by record: record i's at `rows[i * ENCODED_FIELDS.length + f]`. Comparing a
   * pair reads every field of two records at random places; in one row that is one or two cache
   * lines instead of one line per field (at a million records, those misses were most of the cost).
   */
  rows: Int32Array;
  /** Phonetic codes, per entry of the given and family dictionaries. */
  givenPh: string[];
  familyPh: string[];
}

function sharedInt32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(n, 1) * 4), 0, n);
}

/**
 * Encodes match records into columns (see {@link EncodedRecords}). Records may come one at a time
 * (`count` of them): a million records as objects cost ~1.4 GB, their columns a fraction of it.
 */
export function encodeRecords(records: readonly MatchRecord[] | Iterable<MatchRecord>, count?: number): EncodedRecords {
  const n = count ?? (records as readonly MatchRecord[]).length;
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
  const rows = sharedInt32(n * ENCODED_FIELDS.length);
  let i = 0;
  for (const r of records) {
    if (i === n) throw new Error(`encodeRecords: more than the ${n} records announced`);
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
      rows[i * ENCODED_FIELDS.length + f] = id;
    }
    i++;
  }
  if (i !== n) throw new Error(`encodeRecords: ${i} records, ${n} announced`);
  return { n, sources, source, dicts, ids, rows, givenPh, familyPh };
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
  /** Start of the record's row in `enc.rows`. */
  private r = 0;
  private readonly enc: EncodedRecords;
  private readonly rows: Int32Array;
  private readonly d: Record<EncodedField, string[]>;

  constructor(private readonly views: RecordViews) {
    this.enc = views.enc;
    this.rows = views.enc.rows;
    this.d = views.enc.dicts;
  }

  fill(i: number): this {
    this.i = i;
    this.r = i * NF;
    return this;
  }

  get source(): string {
    return this.enc.sources[this.enc.source[this.i]!]!;
  }
  get key(): string {
    return '';
  }
  get givenPh(): string {
    return this.enc.givenPh[this.rows[this.r + F_GIVEN]!]!;
  }
  get familyPh(): string {
    return this.enc.familyPh[this.rows[this.r + F_FAMILY]!]!;
  }
  get given(): string {
    return this.d.given[this.rows[this.r + 0]!]!;
  }
  get family(): string {
    return this.d.family[this.rows[this.r + 1]!]!;
  }
  get dob(): string {
    return this.d.dob[this.rows[this.r + 2]!]!;
  }
  get email(): string {
    return this.d.email[this.rows[this.r + 3]!]!;
  }
  get phone(): string {
    return this.d.phone[this.rows[this.r + 4]!]!;
  }
  get address(): string {
    return this.d.address[this.rows[this.r + 5]!]!;
  }
  get city(): string {
    return this.d.city[this.rows[this.r + 6]!]!;
  }
  get postcode(): string {
    return this.d.postcode[this.rows[this.r + 7]!]!;
  }
  get region(): string {
    return this.d.region[this.rows[this.r + 8]!]!;
  }
  get nid(): string {
    return this.d.nid[this.rows[this.r + 9]!]!;
  }
  get tax(): string {
    return this.d.tax[this.rows[this.r + 10]!]!;
  }
  get company(): string {
    return this.d.company[this.rows[this.r + 11]!]!;
  }
  get addressWords(): string[] {
    return this.views.words('address', this.rows[this.r + F_ADDRESS]!);
  }
  get companyWords(): string[] {
    return this.views.words('company', this.rows[this.r + F_COMPANY]!);
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
