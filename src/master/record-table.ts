import type { Config } from '../config/schema.js';
import type { CanonicalValues } from '../core/fields.js';
import { PACK_SEP, packValues, unpackValues, wholeRow } from '../core/packed-values.js';
import { type MasterRecord, type RecordRef, toMasterRecord } from './store-io.js';

/**
 * Records by index, as the stages of a full run read them: whole (`at`), or only their identity
 * (`source`, `key`), which a {@link RecordTable} gives without unpacking the values.
 */
export interface RecordList<T extends RecordRef = MasterRecord> extends RefList, Iterable<T> {
  /** Record i. From a {@link RecordTable}: a new object each call, to use and drop. */
  at(i: number): T;
}

/** Record identities by index. */
export interface RefList {
  readonly length: number;
  source(i: number): string;
  key(i: number): string;
}

/** `refs` as a list: a list as it is, an array read through. */
export function refList(refs: readonly RecordRef[] | RefList): RefList {
  if (!Array.isArray(refs)) return refs as RefList;
  const a = refs as readonly RecordRef[];
  return { length: a.length, source: (i) => a[i]!.source, key: (i) => a[i]!.key };
}

/** A list over records already held as objects (an incremental run's, a steward's). */
export function recordList<T extends RecordRef>(records: readonly T[]): RecordList<T> {
  return {
    length: records.length,
    at: (i) => records[i]!,
    source: (i) => records[i]!.source,
    key: (i) => records[i]!.key,
    [Symbol.iterator]: () => records[Symbol.iterator](),
  };
}

/** `records` as a list: a table as it is, an array through {@link recordList}. */
export function listOf<T extends RecordRef>(records: readonly T[] | RecordList<T>): RecordList<T> {
  return Array.isArray(records) ? recordList(records as readonly T[]) : (records as RecordList<T>);
}

/**
 * Every staged record of a full run, held compactly: a record's hash and values are one string
 * (see packValues), its key another, its source and line in typed arrays. As objects (a record and its values, a string per value) a staged record took
 * some 550 bytes of heap at a million records, most of it object headers and pointers; packed,
 * about half (bench/staged-heap.ts). A record is unpacked when asked for, into a short-lived
 * object that the young generation collects cheaply. A record packing cannot hold is kept whole.
 */
export class RecordTable implements RecordList {
  /** Columns in the canonical order: see {@link RecordTableBuilder}, which makes them. */
  constructor(
    private readonly names: readonly string[],
    private readonly sourceIds: Uint16Array,
    /** NaN: no line. */
    private readonly lines: Float64Array,
    private readonly keys: readonly string[],
    private readonly packed: readonly (string | MasterRecord)[],
  ) {}

  get length(): number {
    return this.keys.length;
  }

  source(i: number): string {
    return this.names[this.sourceIds[i]!]!;
  }

  key(i: number): string {
    return this.keys[i]!;
  }

  at(i: number): MasterRecord {
    const p = this.packed[i]!;
    if (typeof p !== 'string') return p;
    const v = p.split(PACK_SEP);
    const values = unpackValues(v);
    const l = this.lines[i]!;
    const line = l === l ? l : null;
    const source = this.source(i);
    const key = this.keys[i]!;
    return v[0] ? { source, key, line, values, hash: v[0] } : { source, key, line, values };
  }

  /** Record i's hash and values packed (see packValues), undefined for a record kept whole. */
  packedAt(i: number): string | undefined {
    const p = this.packed[i]!;
    return typeof p === 'string' ? p : undefined;
  }

  *[Symbol.iterator](): Iterator<MasterRecord> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }

  /** Collects records, then {@link RecordTableBuilder.build} orders them. */
  static builder(): RecordTableBuilder {
    return new RecordTableBuilder();
  }
}

export class RecordTableBuilder {
  private readonly names: string[] = [];
  private readonly nameIndex = new Map<string, number>();
  private sourceIds: number[] = [];
  private lines: number[] = [];
  private keys: string[] = [];
  private packed: (string | MasterRecord)[] = [];

  add(r: MasterRecord): void {
    this.push(r.source, r.key, r.line, packValues(r.hash, r.values) ?? r);
  }

  /**
   * Adds a `source_records` row (with the canonical fields), as toMasterRecord reads it; or one
   * whose `packed` column the store packed already (see packedRecordsSql), which is kept as it is,
   * or whose `whole` column holds its hash and values in a JSON array (one the store could not pack).
   */
  addRow(row: Record<string, unknown>): void {
    const line = row.line == null ? null : Number(row.line);
    if (typeof row.packed === 'string') {
      this.push(String(row.source), String(row.source_key), line, row.packed);
      return;
    }
    if (typeof row.whole === 'string') row = wholeRow(row);
    this.push(String(row.source), String(row.source_key), line, packValues(row.record_hash ? String(row.record_hash) : undefined, row as CanonicalValues) ?? toMasterRecord(row));
  }

  private push(source: string, key: string, line: number | null, packed: string | MasterRecord): void {
    let s = this.nameIndex.get(source);
    if (s === undefined) {
      this.nameIndex.set(source, (s = this.names.length));
      this.names.push(source);
    }
    this.sourceIds.push(s);
    this.lines.push(line ?? Number.NaN);
    this.keys.push(key);
    this.packed.push(packed);
  }

  /** The table, records in the canonical order (see sortRecords in store-io.ts). */
  build(config: Pick<Config, 'sources'>): RecordTable {
    const n = this.keys.length;
    const configured = new Map(config.sources.map((s, i) => [s.name, i]));
    const rank = this.names.map((name) => configured.get(name) ?? 1e9);
    const { names, sourceIds, lines, keys } = this;
    // The comparator of canonicalOrder, over the columns.
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => {
      const sa = sourceIds[a]!;
      const sb = sourceIds[b]!;
      if (sa !== sb) {
        const d = rank[sa]! - rank[sb]!;
        if (d) return d;
        const na = names[sa]!;
        const nb = names[sb]!;
        if (na !== nb) return na < nb ? -1 : 1;
      }
      const la = lines[a]!;
      const lb = lines[b]!;
      const dl = (la === la ? la : 0) - (lb === lb ? lb : 0);
      if (dl) return dl;
      const ka = keys[a]!;
      const kb = keys[b]!;
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
    const outSources = new Uint16Array(n);
    const outLines = new Float64Array(n);
    const outKeys = new Array<string>(n);
    const outPacked = new Array<string | MasterRecord>(n);
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      outSources[k] = sourceIds[i]!;
      outLines[k] = lines[i]!;
      outKeys[k] = keys[i]!;
      outPacked[k] = this.packed[i]!;
    }
    this.sourceIds = [];
    this.lines = [];
    this.keys = [];
    this.packed = [];
    return new RecordTable(names, outSources, outLines, outKeys, outPacked);
  }
}
