import { COPY_STREAM_CHUNK, CsvWriter } from '../store/bulk-insert.js';
import { KEY_HASH_BYTES, type KeyHashing, keyHasher } from '../transforms/match/key-hash.js';

/** Columns of `blocking_keys` as the match index writes them. */
export const BLOCKING_KEY_COLUMNS = ['source', 'source_key', 'key_hash', 'sort_key'] as const;

/** Code points of the names a sort key keeps: enough to order look-alike names side by side. */
const SORT_KEY_NAME_CHARS = 24;

/**
 * A sort key from its parts (see sortKeyOf in match-index.ts): the family and given names cut
 * to {@link SORT_KEY_NAME_CHARS} code points, and the birth date's short hash ('' when none).
 */
export function sortKeyFrom(family: string, given: string, dobHash: string): string {
  const joined = `${family}\u0001${given}`;
  // Most names are short: cut only where the code points could exceed the limit.
  const names = joined.length <= SORT_KEY_NAME_CHARS ? joined : Array.from(joined).slice(0, SORT_KEY_NAME_CHARS).join('');
  return dobHash ? `${names}\u0001${dobHash}` : names;
}

/** What a sort key's birth-date part hashes (its first 6 hex digits are kept). */
export function birthDateSortInput(dob: string): string {
  return `birth date\u0000${dob}`;
}

/**
 * The match features a sort key is made of, per record: the family name, given name and birth
 * date as matching normalized them (dictionaries and each record's entry).
 */
export interface SortKeyNames {
  family: readonly string[];
  given: readonly string[];
  dob: readonly string[];
  ids: { family: Int32Array; given: Int32Array; dob: Int32Array };
}

/**
 * Everything the index rows of a full match are made of, as plain data (it goes to a worker
 * thread): per record its source and key; per blocking rule each record's key id and each key's
 * hash (from blocking, src/transforms/match/match-records.ts `IndexKeys`); the sort keys' names
 * (null: names are encrypted, rows have no sort key); and how the store hashes.
 */
export interface IndexRowsJob {
  sources: string[];
  sourceOf: Int32Array;
  keys: string[];
  keyIds: Int32Array[];
  hashes: Uint8Array[];
  names: SortKeyNames | null;
  hashing: KeyHashing;
}

/** Records read into index rows at a time, for a batch of rows (about 20,000 rows). */
export const INDEX_ROWS_RECORDS = 2_000;
/** Records read at a time into CSV (about 640 rows, 45 KB: a fraction of a COPY chunk). */
const CSV_READ_RECORDS = 64;

/**
 * A function that calls `row` with the index rows of records `from` to `to` (exclusive) of
 * `job`, record by record, rule by rule: record i's source, key and sort key, and where its key's
 * hash is (`KEY_HASH_BYTES` at `hashes[at…]`).
 */
export function indexRowReader(job: IndexRowsJob): (from: number, to: number, row: (i: number, source: string, key: string, sortKey: string | null, hashes: Buffer, at: number) => void) => void {
  const hash = keyHasher(job.hashing);
  const scratch = Buffer.alloc(KEY_HASH_BYTES);
  const dobHashes = new Map<number, string>();
  const hashes = job.hashes.map((h) => Buffer.from(h.buffer, h.byteOffset, h.byteLength));
  const rules = job.keyIds.length;
  const names = job.names;
  return (from, to, row) => {
    for (let i = from; i < to; i++) {
      const source = job.sources[job.sourceOf[i]!]!;
      const key = job.keys[i]!;
      let sortKey: string | null = null;
      if (names) {
        const d = names.ids.dob[i]!;
        let dobHash = d === 0 ? '' : dobHashes.get(d);
        if (dobHash === undefined) {
          hash(birthDateSortInput(names.dob[d]!), scratch, 0);
          dobHashes.set(d, (dobHash = scratch.toString('hex', 0, 3)));
        }
        sortKey = sortKeyFrom(names.family[names.ids.family[i]!]!, names.given[names.ids.given[i]!]!, dobHash);
      }
      for (let r = 0; r < rules; r++) {
        const k = job.keyIds[r]![i]!;
        if (k !== 0) row(i, source, key, sortKey, hashes[r]!, k * KEY_HASH_BYTES);
      }
    }
  };
}

/** A string as CsvWriter writes it for COPY: in double quotes, inner quotes doubled (UTF-8 once made a Buffer). */
function csvQuoted(s: string): string {
  return `"${s.includes('"') ? s.replaceAll('"', '""') : s}"`;
}

/** The index rows of `job` as CSV for COPY (as the store encodes rows), in chunks of about {@link COPY_STREAM_CHUNK} bytes. */
export function* indexCsvChunks(job: IndexRowsJob): Generator<Buffer> {
  const read = indexRowReader(job);
  const csv = new CsvWriter(COPY_STREAM_CHUNK);
  // A record's rows differ only in the key's hash: what comes before it (source and key) and
  // after it (the sort key) is encoded once per record, the hash written as hex from its bytes.
  // Encoded field by field (a hex string and four quoted values a row), the 10M rows of a million
  // records took 3.0 s; so, 1.6 s.
  let last = -1;
  let head = Buffer.alloc(0);
  let tail = Buffer.alloc(0);
  // A chunk is taken once it is full, looked at every {@link CSV_READ_RECORDS} records: 2,000
  // records at a time (about 1.4 MB of rows) overran the 256 KB chunk, and its buffer, grown a
  // row at a time, was copied again and again (7 of the worker's 23 s at 300k records).
  for (let from = 0; from < job.keys.length; from += CSV_READ_RECORDS) {
    read(from, Math.min(job.keys.length, from + CSV_READ_RECORDS), (i, source, key, sortKey, hashes, at) => {
      if (i !== last) {
        last = i;
        head = Buffer.from(`${csvQuoted(source)},${csvQuoted(key)},`);
        tail = Buffer.from(sortKey === null ? ',\n' : `,${csvQuoted(sortKey)}\n`);
      }
      csv.raw(head);
      csv.quotedHex(hashes, at, at + KEY_HASH_BYTES);
      csv.raw(tail);
    });
    if (csv.size >= COPY_STREAM_CHUNK) yield csv.take();
  }
  if (csv.size > 0) yield csv.take();
  csv.done();
}
