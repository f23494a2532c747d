/** Separator between the elements of an array of scalars flattened into one column. */
export const ARRAY_SEPARATOR = '; ';

/** Value at a dotted path (`result.items`) in parsed JSON; undefined when a step is missing. */
export function getPath(body: unknown, dotted: string): unknown {
  let v: unknown = body;
  for (const step of dotted.split('.')) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[step];
  }
  return v;
}

/**
 * The records array of a response body: at `recordsPath` when given, else the body itself when
 * it is an array, else its `data`. Returns a description of what was found instead, for the
 * error message, when there is no array there.
 */
export function recordsOf(body: unknown, recordsPath: string | undefined): { ok: true; items: unknown[] } | { ok: false; found: string } {
  const path = recordsPath ?? (Array.isArray(body) ? undefined : 'data');
  const v = path === undefined ? body : getPath(body, path);
  if (Array.isArray(v)) return { ok: true, items: v };
  const where = path === undefined ? 'the body' : `"${path}"`;
  const keys = body && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body).slice(0, 20) : [];
  const found = v === undefined ? `no ${where}` : `${where} is ${describeJson(v)}, not an array`;
  return { ok: false, found: keys.length ? `${found} (top-level keys: ${keys.join(', ')})` : found };
}

/** A short, value-free description of a JSON value's type (values may be personal data). */
export function describeJson(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

function isScalar(v: unknown): v is string | number | boolean | null {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function scalarText(v: string | number | boolean | null): string {
  return v === null ? '' : typeof v === 'string' ? v.trim() : String(v);
}

/**
 * Flattens one JSON record into string columns, the shape every connector yields:
 * - nested objects become dotted names (`{address: {city}}` → `address.city`), to any depth;
 *   an empty object becomes an empty value;
 * - an array of scalars is joined with {@link ARRAY_SEPARATOR} (`["vip","b2b"]` → `vip; b2b`,
 *   nulls skipped); an array holding objects or arrays is kept as JSON text;
 * - strings are trimmed, numbers and booleans written as JSON writes them, null becomes "".
 */
export function flattenRecord(obj: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (prefix: string, v: unknown): void => {
    if (isScalar(v)) {
      out[prefix] = scalarText(v);
    } else if (Array.isArray(v)) {
      out[prefix] = v.every(isScalar)
        ? v.filter((x) => x !== null).map((x) => scalarText(x)).join(ARRAY_SEPARATOR)
        : JSON.stringify(v);
    } else if (v && typeof v === 'object') {
      const entries = Object.entries(v);
      if (!entries.length) out[prefix] = '';
      for (const [k, x] of entries) walk(`${prefix}.${k}`, x);
    }
    // undefined cannot come from JSON.parse; nothing else is left.
  };
  for (const [k, v] of Object.entries(obj)) walk(k, v);
  return out;
}
