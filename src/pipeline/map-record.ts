import type { CanonicalField, CanonicalValues } from '../core/fields.js';

export type Mapping = Partial<Record<CanonicalField, string | readonly string[]>>;

/**
 * Maps source columns to canonical fields: a list of columns is joined with spaces (empty parts
 * skipped). Columns no field maps are returned as `extra`, kept with the record.
 */
export function mapRecord(fields: Readonly<Record<string, string>>, mapping: Mapping): { values: CanonicalValues; extra: Record<string, string> } {
  const values: CanonicalValues = {};
  const used = new Set<string>();
  for (const [field, cols] of Object.entries(mapping) as [CanonicalField, string | readonly string[]][]) {
    if (typeof cols === 'string') {
      used.add(cols);
      const v = fields[cols];
      values[field] = v ? v : null;
    } else {
      const parts: string[] = [];
      for (const c of cols) {
        used.add(c);
        const v = fields[c];
        if (v) parts.push(v);
      }
      values[field] = parts.length ? parts.join(' ') : null;
    }
  }
  const extra: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) if (!used.has(k) && v) extra[k] = v;
  return { values, extra };
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
