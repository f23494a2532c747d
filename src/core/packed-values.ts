import { CANONICAL_FIELDS, type CanonicalField, type CanonicalValues } from './fields.js';

/**
 * A record's hash and canonical values as one string: `hash SEP value SEP …` in the order of
 * CANONICAL_FIELDS, an empty place for null (see RecordTable, src/master/record-table.ts, which
 * holds a full run's staged records so, and the encoding threads, which are sent them so).
 * Standardized values hold no control characters; a record whose values packing could not give
 * back exactly (an empty string, a value holding SEP) is not packed.
 */
export const PACK_SEP = '\u0001';

/** Place of each canonical field in a packed record's parts (the hash is at 0). */
export const PACKED_AT = Object.fromEntries(CANONICAL_FIELDS.map((f, i) => [f, i + 1])) as Record<CanonicalField, number>;

/** The parts of the record being packed. */
const PARTS: string[] = new Array<string>(CANONICAL_FIELDS.length + 1).fill('');

/** A record's hash and values as one string; undefined when packing could not give them back exactly. */
export function packValues(hash: string | undefined, values: CanonicalValues): string | undefined {
  if (hash !== undefined && (hash === '' || hash.includes(PACK_SEP))) return undefined;
  const parts = PARTS;
  parts[0] = hash ?? '';
  for (let f = 0; f < CANONICAL_FIELDS.length; f++) {
    const v = values[CANONICAL_FIELDS[f]!];
    if (v === '' || (v && v.includes(PACK_SEP))) return undefined;
    parts[f + 1] = v ?? '';
  }
  // Joined, one flat string: concatenated, it was a tree of 35 strings (1.3 KB a record).
  return parts.join(PACK_SEP);
}

/** The values of a packed record's parts (`packed.split(PACK_SEP)`). */
export function unpackValues(v: readonly string[]): CanonicalValues {
  const get = (k: number): string | null => v[k] || null;
  // One literal, every field in the object itself (see readRecord in src/master/store-io.ts).
  return {
    full_name: get(PACKED_AT.full_name),
    given_name: get(PACKED_AT.given_name),
    family_name: get(PACKED_AT.family_name),
    company_name: get(PACKED_AT.company_name),
    email: get(PACKED_AT.email),
    phone: get(PACKED_AT.phone),
    birth_date: get(PACKED_AT.birth_date),
    gender: get(PACKED_AT.gender),
    national_id: get(PACKED_AT.national_id),
    tax_id: get(PACKED_AT.tax_id),
    address_line1: get(PACKED_AT.address_line1),
    address_line2: get(PACKED_AT.address_line2),
    city: get(PACKED_AT.city),
    region: get(PACKED_AT.region),
    postal_code: get(PACKED_AT.postal_code),
    country: get(PACKED_AT.country),
    source_updated_at: get(PACKED_AT.source_updated_at),
  };
}

/**
 * A PostgreSQL query for the live `source_records` rows with their hash and values packed by the
 * server, as {@link packValues} packs them: `source, source_key, line, packed`, and `whole`,
 * where packing could not give the values back (`packed` null), the row's `record_hash` and
 * canonical fields as a JSON array (see {@link wholeRow}; null otherwise). The driver then decodes
 * five values a row and the reader packs nothing: reading a million staged rows through a cursor
 * took 5.2–5.5 s of this process's CPU instead of 8.7–11.2 as plain rows (one-off script, pages of
 * 20,000, both ways alternating), and with the unpacked values in columns of their own, null
 * where a row packed (eighteen more a row), 3.7–4.8 s against 2.4–3.2 s so. The inner query (not
 * flattened: `offset 0`) decides once per row whether it packs; flattened, each outer column
 * evaluated the test again (12.8 s of server time for a million rows instead of ~2). With `half`,
 * only the rows of that half (by a hash of their key): two cursors read the two at once.
 */
export function packedRecordsSql(half?: 0 | 1): string {
  const q = (c: string): string => `"${c}"`;
  const fits = [`${q('record_hash')} <> ''`, `strpos(${q('record_hash')}, chr(1)) = 0`];
  for (const f of CANONICAL_FIELDS) fits.push(`(${q(f)} is null or (${q(f)} <> '' and strpos(${q(f)}, chr(1)) = 0))`);
  const packed = `concat_ws(chr(1), ${[q('record_hash'), ...CANONICAL_FIELDS.map((f) => `coalesce(${q(f)}, '')`)].join(', ')})`;
  const whole = ['record_hash', ...CANONICAL_FIELDS].map(q).join(', ');
  // The JSON only for a row that did not pack (a case evaluates the branch it takes).
  return (
    `select ${q('source')}, ${q('source_key')}, ${q('line')}, case when fits then ${q('packed')} end as ${q('packed')}, case when fits then null else json_build_array(${whole})::text end as ${q('whole')} ` +
    `from (select ${q('source')}, ${q('source_key')}, ${q('line')}, ${whole}, ${packed} as ${q('packed')}, ${fits.join(' and ')} as fits ` +
    `from ${q('source_records')} where not ${q('deleted')}${half === undefined ? '' : ` and (hashtext(${q('source_key')}) & 1) = ${half}`} offset 0) s`
  );
}

/** A row of {@link packedRecordsSql} that did not pack, as a `source_records` row: its `whole` array spread into `record_hash` and the canonical fields. */
export function wholeRow(row: Record<string, unknown>): Record<string, unknown> {
  const values = JSON.parse(String(row.whole)) as (string | null)[];
  const out: Record<string, unknown> = { source: row.source, source_key: row.source_key, line: row.line, record_hash: values[0] };
  CANONICAL_FIELDS.forEach((f, i) => (out[f] = values[i + 1] ?? null));
  return out;
}
