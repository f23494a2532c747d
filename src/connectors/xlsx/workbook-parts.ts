/**
 * The small parts of an .xlsx package read directly (workbook, relationships) and the merged
 * areas of one sheet, found by a pre-scan of its XML.
 */
import path from 'node:path/posix';
import type { ZipPackage } from './zip-package.js';

export interface SheetRef {
  name: string;
  /** 1-based position in the workbook's tab order. */
  index: number;
  /** Part name of the sheet's XML in the package. */
  part: string;
  hidden: boolean;
}

export interface WorkbookParts {
  workbook: string;
  /** The workbook's relationships part (sheet and part targets). */
  workbookRels: string;
  /** Worksheets in tab order (chart sheets and dialog sheets left out). */
  sheets: SheetRef[];
  styles: string | undefined;
  sharedStrings: string | undefined;
  /** The workbook counts dates from 1904 (old Mac Excel). */
  date1904: boolean;
}

/** A merged area, 1-based and inclusive. */
export interface MergeRange {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeXml(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_m, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : ENTITIES[e]!,
  );
}

/** Attributes of one XML start tag, by local name (`r:id` → `id`). */
function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w.-]+(?::[\w.-]+)?)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    const name = m[1]!;
    const local = name.includes(':') && !name.startsWith('xmlns') ? name.slice(name.indexOf(':') + 1) : name;
    out[local] = decodeXml(m[2] ?? m[3] ?? '');
  }
  return out;
}

function elements(xml: string, local: string): Record<string, string>[] {
  const re = new RegExp(`<(?:[\\w.-]+:)?${local}\\b([^>]*?)/?>`, 'g');
  return [...xml.matchAll(re)].map((m) => attributes(m[1]!));
}

/** The relationships part of a part: `xl/workbook.xml` → `xl/_rels/workbook.xml.rels`. */
export function relsOf(part: string): string {
  return path.join(path.dirname(part), '_rels', `${path.basename(part)}.rels`);
}

function resolveTarget(from: string, target: string): string {
  return target.startsWith('/') ? target.slice(1) : path.normalize(path.join(path.dirname(from), target));
}

async function relationships(zip: ZipPackage, part: string): Promise<{ id: string; type: string; target: string }[]> {
  const xml = await zip.text(relsOf(part));
  if (!xml) return [];
  return elements(xml, 'Relationship')
    .filter((r) => r['TargetMode'] !== 'External' && r['Target'])
    .map((r) => ({ id: r['Id'] ?? '', type: r['Type'] ?? '', target: resolveTarget(part, r['Target']!) }));
}

/** Reads the workbook part and its relationships: sheets in tab order, styles, shared strings. */
export async function readWorkbookParts(zip: ZipPackage): Promise<WorkbookParts> {
  const root = await relationships(zip, '');
  const workbook = root.find((r) => r.type.endsWith('/officeDocument'))?.target ?? 'xl/workbook.xml';
  const xml = await zip.text(workbook);
  if (xml === undefined) throw new Error(`the package has no workbook part (${workbook})`);
  const rels = await relationships(zip, workbook);
  const byId = new Map(rels.map((r) => [r.id, r]));
  const sheets: SheetRef[] = [];
  let index = 0;
  for (const s of elements(xml, 'sheet')) {
    index++;
    const rel = byId.get(s['id'] ?? '');
    if (!rel || !rel.type.endsWith('/worksheet')) continue;
    sheets.push({ name: s['name'] ?? `Sheet${index}`, index, part: rel.target, hidden: s['state'] === 'hidden' || s['state'] === 'veryHidden' });
  }
  const pr = elements(xml, 'workbookPr')[0];
  return {
    workbook,
    workbookRels: relsOf(workbook),
    sheets,
    styles: rels.find((r) => r.type.endsWith('/styles'))?.target,
    sharedStrings: rels.find((r) => r.type.endsWith('/sharedStrings'))?.target,
    date1904: pr?.['date1904'] === '1' || pr?.['date1904'] === 'true',
  };
}

/** `AB12` → column 28, row 12. */
export function decodeCellRef(ref: string): { col: number; row: number } | undefined {
  const m = /^\$?([A-Za-z]{1,3})\$?(\d+)$/.exec(ref);
  if (!m) return undefined;
  let col = 0;
  for (const ch of m[1]!.toUpperCase()) col = col * 26 + (ch.charCodeAt(0) - 64);
  return { col, row: Number(m[2]) };
}

/** Column number → letters: 1 → A, 28 → AB. */
export function columnLetters(col: number): string {
  let s = '';
  for (let c = col; c > 0; c = Math.floor((c - 1) / 26)) s = String.fromCharCode(65 + ((c - 1) % 26)) + s;
  return s;
}

const MERGE_TOKEN = Buffer.from('mergeCell', 'latin1');
/** The merge list after the sheet data is small; past this the rest is not kept. */
const MAX_MERGE_XML = 32 * 1024 * 1024;

/**
 * Merged areas of a sheet. They are listed after the sheet's rows, so a streaming reader meets
 * them too late; this pass inflates the sheet once and keeps only the bytes from the first
 * `mergeCell` on (a start tag: markup, never cell text, where `<` is escaped).
 */
export async function scanMergedRanges(zip: ZipPackage, part: string): Promise<MergeRange[]> {
  const kept: Buffer[] = [];
  let keptLen = 0;
  let carry: Buffer = Buffer.alloc(0);
  let found = false;
  for await (const c of await zip.stream(part)) {
    const chunk = c as Buffer;
    if (found) {
      if (keptLen < MAX_MERGE_XML) {
        kept.push(chunk);
        keptLen += chunk.length;
      }
      continue;
    }
    const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    let at = buf.indexOf(MERGE_TOKEN);
    while (at >= 0 && !isStartTag(buf, at)) at = buf.indexOf(MERGE_TOKEN, at + 1);
    if (at >= 0) {
      found = true;
      const from = Math.max(0, at - 16);
      kept.push(buf.subarray(from));
      keptLen += buf.length - from;
    } else {
      carry = buf.subarray(Math.max(0, buf.length - 32));
    }
  }
  if (!found) return [];
  const xml = Buffer.concat(kept).toString('utf8');
  const out: MergeRange[] = [];
  for (const m of xml.matchAll(/<(?:[\w.-]+:)?mergeCell\b[^>]*?\bref\s*=\s*"([^"]+)"/g)) {
    const [a, b] = m[1]!.split(':');
    const tl = decodeCellRef(a!);
    const br = b ? decodeCellRef(b) : tl;
    if (!tl || !br) continue;
    out.push({ top: Math.min(tl.row, br.row), left: Math.min(tl.col, br.col), bottom: Math.max(tl.row, br.row), right: Math.max(tl.col, br.col) });
  }
  return out;
}

/** `<mergeCell` or `<x:mergeCell`: the token at `at` is an element name. */
function isStartTag(buf: Buffer, at: number): boolean {
  for (let i = at - 1; i >= 0 && i >= at - 12; i--) {
    const c = buf[i]!;
    if (c === 0x3c) return true; // <
    if (c === 0x3a) continue; // : of a prefix
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) continue;
    return false;
  }
  return false;
}
