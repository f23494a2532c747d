import type { CanonicalField, CanonicalValues } from '../core/fields.js';

export type Mapping = Partial<Record<CanonicalField, string | readonly string[]>>;

/**
 * Maps source columns to canonical fields: a list of columns is joined with spaces (empty parts
 * skipped). Columns no field maps are returned as `extra`, kept with the record.
 */
export function mapRecord(fields: Readonly<Record<string, string>>, mapping: Mapping): { values: CanonicalValues; extra: Record<string, string> } {
  const { entries, used } = compiled(mapping);
  const values: CanonicalValues = {};
  for (const [field, cols] of entries) {
    if (typeof cols === 'string') {
      const v = fields[cols];
      values[field] = v ? v : null;
    } else {
      const parts: string[] = [];
      for (const c of cols) {
        const v = fields[c];
        if (v) parts.push(v);
      }
      values[field] = parts.length ? parts.join(' ') : null;
    }
  }
  const extra: Record<string, string> = {};
  for (const k in fields) {
    const v = fields[k];
    if (v && !used.has(k)) extra[k] = v;
  }
  return { values, extra };
}

/** A mapping's fields and columns, worked out once per mapping rather than once per record. */
const compiledMappings = new WeakMap<Mapping, { entries: [CanonicalField, string | readonly string[]][]; used: Set<string> }>();
function compiled(mapping: Mapping): { entries: [CanonicalField, string | readonly string[]][]; used: Set<string> } {
  let c = compiledMappings.get(mapping);
  if (!c) {
    const entries = Object.entries(mapping) as [CanonicalField, string | readonly string[]][];
    compiledMappings.set(mapping, (c = { entries, used: new Set(entries.flatMap(([, cols]) => (typeof cols === 'string' ? [cols] : [...cols]))) }));
  }
  return c;
}

/** Columns the mapping (and key) need, to check a source's header before reading it. */
export function mappedColumns(mapping: Mapping, key: string | readonly string[]): string[] {
  const cols = new Set<string>(typeof key === 'string' ? [key] : key);
  for (const c of Object.values(mapping)) {
    if (typeof c === 'string') cols.add(c);
    else if (c) for (const x of c) cols.add(x);
  }
  return [...cols];
}
