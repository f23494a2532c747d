import type { CellKind } from './cell-text.js';
import { columnLetters } from './workbook-parts.js';

/** One non-blank sheet row as header detection sees it: cell texts and kinds, column A first. */
export interface SheetRow {
  /** 1-based row number in the sheet. */
  number: number;
  texts: string[];
  kinds: CellKind[];
}

/** Rows looked at to find the header. */
export const HEADER_SCAN_ROWS = 30;

function nonEmpty(r: SheetRow): number {
  let n = 0;
  for (const t of r.texts) if (t) n++;
  return n;
}

/**
 * Finds the header among the first non-blank rows of a sheet: the first row that
 * - holds mostly text (more than half of its non-empty cells),
 * - is about as wide as the table (at least two thirds of the widest row's non-empty cells),
 *   which skips a title or an "exported by … on …" line above the table,
 * - has mostly distinct values (a title merged across the table repeats one value), and
 * - has a non-blank row below it (it is followed by data).
 * Falls back to the first row when none qualifies. Returns an index into `rows`.
 */
export function findHeaderRow(rows: readonly SheetRow[]): number {
  if (rows.length <= 1) return 0;
  const widest = Math.max(...rows.map(nonEmpty));
  for (let i = 0; i < rows.length - 1; i++) {
    const r = rows[i]!;
    const filled = nonEmpty(r);
    if (!filled || filled * 3 < widest * 2) continue;
    let text = 0;
    const distinct = new Set<string>();
    r.texts.forEach((t, c) => {
      if (!t) return;
      distinct.add(t);
      if (r.kinds[c] === 'text') text++;
    });
    if (text * 2 <= filled) continue;
    if (widest > 1 && (distinct.size < 2 || distinct.size * 5 < filled * 4)) continue;
    return i;
  }
  return 0;
}

/**
 * Column names from header cells: trimmed; an empty cell within the table is named by its
 * column letter (`F`); a repeated name gets `_2`, `_3`… Trailing empty cells are dropped.
 */
export function headerNames(texts: readonly string[]): string[] {
  let width = texts.length;
  while (width > 0 && !texts[width - 1]) width--;
  const seen = new Map<string, number>();
  const out: string[] = [];
  for (let c = 0; c < width; c++) {
    const base = texts[c] || columnLetters(c + 1);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    out.push(n === 1 ? base : `${base}_${n}`);
  }
  return out;
}
