/**
 * Turns a record element, as fast-xml-parser returns it (attributes under `@name`, text under
 * `#text`, repeated children as arrays), into source columns named by dotted paths.
 */

/** Separator of the values of a repeated element in one column. */
export const REPEAT_SEPARATOR = '; ';

function textOf(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') {
    const t = Object.hasOwn(v, '#text') ? (v as Record<string, unknown>)['#text'] : '';
    return typeof t === 'object' ? '' : String(t ?? '').trim();
  }
  return String(v).trim();
}

function joinValues(values: readonly string[]): string {
  if (values.length === 1) return values[0]!;
  let out = '';
  for (const v of values) {
    if (!v) continue;
    out = out ? out + REPEAT_SEPARATOR + v : v;
  }
  return out;
}

/**
 * Every leaf of a record as a column: `name.first`, `@id`, `address.@type`, `address.city`;
 * an element's own text (beside attributes or children) under the element's path; the values
 * of repeated elements joined with "; " in document order (empty ones left out).
 */
export function flattenRecord(root: unknown): Record<string, string> {
  const acc = new Map<string, string[]>();
  const add = (path: string, v: unknown): void => {
    const key = path || '#text';
    const s = typeof v === 'object' && v !== null ? '' : String(v ?? '').trim();
    const list = acc.get(key);
    if (list) list.push(s);
    else acc.set(key, [s]);
  };
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x, path);
    } else if (v !== null && typeof v === 'object') {
      // Attributes first, then children, then the element's own text: the order a one-pass
      // reader meets them in (fast-xml-parser lists attributes last).
      const keys = Object.keys(v);
      const o = v as Record<string, unknown>;
      for (const k of keys) if (k.charCodeAt(0) === 64 /* @ */) add(path ? `${path}.${k}` : k, o[k]);
      for (const k of keys) if (k !== '#text' && k.charCodeAt(0) !== 64) walk(o[k], path ? `${path}.${k}` : k);
      if (Object.hasOwn(o, '#text')) add(path, o['#text']);
    } else {
      add(path, v);
    }
  };
  walk(root, '');
  const out: Record<string, string> = {};
  for (const [k, values] of acc) out[k] = joinValues(values);
  return out;
}

/** One step of a column path: an element or `@attribute` name, and an occurrence for `name[n]`. */
export interface ColumnSegment {
  key: string;
  /** 1-based occurrence, as in XPath. */
  index?: number;
}

/** Splits a column path (validated by `XML_COLUMN_PATH`) into segments. */
export function parseColumnPath(path: string): ColumnSegment[] {
  return path.split('.').map((s) => {
    const m = /^(.*)\[([1-9][0-9]*)\]$/.exec(s);
    return m ? { key: m[1]!, index: Number(m[2]) } : { key: s };
  });
}

/** A column path without its occurrence indexes: `phone[1]` → `phone`. */
export function unindexedPath(path: string): string {
  return path.replace(/\[[0-9]+\]/g, '');
}

/**
 * Reads one column from a record: each segment selects children (or an attribute) of every
 * node selected so far, `[n]` the n-th of them under each parent; the selected values are joined
 * with "; ". '' when the path selects nothing.
 */
export function readColumn(root: unknown, segments: readonly ColumnSegment[]): string {
  let nodes: unknown[] = [root];
  for (const seg of segments) {
    const next: unknown[] = [];
    for (const node of nodes) {
      if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, seg.key)) continue;
      const child = (node as Record<string, unknown>)[seg.key];
      const list = Array.isArray(child) ? child : [child];
      if (seg.index === undefined) next.push(...list);
      else if (seg.index <= list.length) next.push(list[seg.index - 1]);
    }
    nodes = next;
    if (!nodes.length) return '';
  }
  return joinValues(nodes.map(textOf));
}
