import { grow } from '../../core/grow.js';
import type { MatchRecord } from './features.js';
import { wordsOf } from './features.js';

/** The text fields of a {@link MatchRecord} that comparisons and blocking read. */
export const ENCODED_FIELDS = ['given', 'family', 'dob', 'email', 'phone', 'address', 'city', 'postcode', 'region', 'nid', 'tax', 'company'] as const;
export type EncodedField = (typeof ENCODED_FIELDS)[number];
/** Fields per row of {@link EncodedRecords.rows}. */
export const NF = ENCODED_FIELDS.length;
const FIELD_AT = Object.fromEntries(ENCODED_FIELDS.map((f, at) => [f, at])) as Record<EncodedField, number>;
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
  /**
   * Per record and field, the dictionary index of its value: record i's at
   * `rows[i * ENCODED_FIELDS.length + f]` (one field's down the records: {@link encodedColumn}).
   * Comparing a pair reads every field of two records at random places; in one row that is one
   * or two cache lines instead of one line per field (at a million records, those misses were
   * most of the cost). Kept only by record: a copy by field as well was 48 MB more shared memory
   * through every phase at a million records, for loops that run once per field.
   */
  rows: Int32Array;
  /** Phonetic codes, per entry of the given and family dictionaries. */
  givenPh: string[];
  familyPh: string[];
  /** The words of each street address and company name (see {@link WordTable}). */
  words: Record<WordField, WordTable>;
}

export type WordField = 'address' | 'company';

/** The dictionary index of each record's value of `field`, in an array of its own (shared memory with `shared`). */
export function encodedColumn(enc: Pick<EncodedRecords, 'n' | 'rows'>, field: EncodedField, shared = false): Int32Array {
  const at = ENCODED_FIELDS.indexOf(field);
  const out = shared ? sharedInt32(enc.n) : new Int32Array(enc.n);
  const rows = enc.rows;
  for (let i = 0, r = at; i < enc.n; i++, r += NF) out[i] = rows[r]!;
  return out;
}

/**
 * The distinct words of each entry of a dictionary, sorted (as {@link wordsOf} gives them), as ids
 * into `words`: entry `id`'s at `ids[start[id]…start[id + 1])`. Computed once per distinct value
 * and shared with worker threads in SharedArrayBuffers. (A cache of word lists per worker, cleared
 * when full, promoted every list it made to the old generation: at a million records scoring grew
 * each worker's heap by 250–300 MB of garbage before the collector ran.)
 */
export interface WordTable {
  words: string[];
  start: Int32Array;
  ids: Int32Array;
}

/** Builds a {@link WordTable} one dictionary entry at a time, in dictionary order. */
class WordTableBuilder {
  private readonly words: string[] = [];
  private readonly index = new Map<string, number>();
  private start: Int32Array = new Int32Array(1024);
  private ids: Int32Array = new Int32Array(4096);
  private entries = 0;
  private used = 0;

  add(words: readonly string[]): void {
    if (this.entries + 2 > this.start.length) this.start = grow(this.start, this.entries + 2);
    if (this.used + words.length > this.ids.length) this.ids = grow(this.ids, this.used + words.length);
    for (const w of words) {
      let id = this.index.get(w);
      if (id === undefined) {
        this.index.set(w, (id = this.words.length));
        this.words.push(w);
      }
      this.ids[this.used++] = id;
    }
    this.start[++this.entries] = this.used;
  }

  build(): WordTable {
    const start = sharedInt32(this.entries + 1);
    start.set(this.start.subarray(0, this.entries + 1));
    const ids = sharedInt32(this.used);
    ids.set(this.ids.subarray(0, this.used));
    return { words: this.words, start, ids };
  }
}

/** The {@link WordTable} of a dictionary's values. */
export function wordTable(dict: readonly string[]): WordTable {
  const b = new WordTableBuilder();
  for (const v of dict) b.add(wordsOf(v));
  return b.build();
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
  const encoder = new RecordEncoder(n);
  for (const r of records) encoder.add(r);
  return encoder.finish();
}

/**
 * Builds {@link EncodedRecords} a record at a time, for `n` records announced up front. Its
 * dictionaries are interned through maps that are garbage once it finishes (at a million records,
 * with the match records made on the way, some 600 MB of a heap the collector had no reason to
 * visit again): see encode-worker.ts, which runs one in a thread of its own.
 */
export class RecordEncoder {
  private readonly sources: string[] = [];
  private readonly sourceIndex = new Map<string, number>();
  private readonly source: Int32Array;
  private readonly dicts = {} as Record<EncodedField, string[]>;
  private readonly givenPh: string[] = [''];
  private readonly familyPh: string[] = [''];
  private readonly index = ENCODED_FIELDS.map(() => new Map<string, number>([['', 0]]));
  private readonly words = { address: new WordTableBuilder(), company: new WordTableBuilder() };
  private readonly rows: Int32Array;
  private i = 0;

  constructor(private readonly n: number) {
    this.source = sharedInt32(n);
    for (const f of ENCODED_FIELDS) {
      this.dicts[f] = [''];
    }
    this.words.address.add([]);
    this.words.company.add([]);
    this.rows = sharedInt32(n * ENCODED_FIELDS.length);
  }

  add(r: MatchRecord): void {
    const i = this.i;
    if (i === this.n) throw new Error(`encodeRecords: more than the ${this.n} records announced`);
    let s = this.sourceIndex.get(r.source);
    if (s === undefined) {
      this.sourceIndex.set(r.source, (s = this.sources.length));
      this.sources.push(r.source);
    }
    this.source[i] = s;
    for (let f = 0; f < ENCODED_FIELDS.length; f++) {
      const field = ENCODED_FIELDS[f]!;
      const v = r[field];
      const map = this.index[f]!;
      let id = map.get(v);
      if (id === undefined) {
        const dict = this.dicts[field];
        map.set(v, (id = dict.length));
        dict.push(v);
        if (field === 'given') this.givenPh.push(r.givenPh);
        else if (field === 'family') this.familyPh.push(r.familyPh);
        else if (field === 'address') this.words.address.add(r.addressWords);
        else if (field === 'company') this.words.company.add(r.companyWords);
      }
      this.rows[i * ENCODED_FIELDS.length + f] = id;
    }
    this.i++;
  }

  finish(): EncodedRecords {
    if (this.i !== this.n) throw new Error(`encodeRecords: ${this.i} records, ${this.n} announced`);
    const { n, sources, source, dicts, rows, givenPh, familyPh } = this;
    return { n, sources, source, dicts, rows, givenPh, familyPh, words: { address: this.words.address.build(), company: this.words.company.build() } };
  }
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

  /** The dictionary entry of this record's value of `field`, if `dict` is that field's dictionary here (else -1). */
  entryIn(field: EncodedField, dict: readonly string[]): number {
    return this.d[field] === dict ? this.rows[this.r + FIELD_AT[field]]! : -1;
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

/** Word lists of addresses and company names, and reusable record views. */
export class RecordViews {
  constructor(readonly enc: EncodedRecords) {}

  /** A new reusable view (see {@link RecordView}). */
  view(): RecordView {
    return new RecordView(this);
  }

  /**
   * The words of dictionary entry `id` of `field`, as a new list of the table's strings: a
   * short-lived array the young generation collects (kept in no cache, see {@link WordTable}).
   */
  words(field: WordField, id: number): string[] {
    const t = this.enc.words[field];
    const from = t.start[id]!;
    const out = new Array<string>(t.start[id + 1]! - from);
    for (let k = 0; k < out.length; k++) out[k] = t.words[t.ids[from + k]!]!;
    return out;
  }
}
