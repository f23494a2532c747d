import { sourceFileError } from '../shared/source-file.js';
import { open, stat } from 'node:fs/promises';
import type { XlsxSourceConfig } from '../../config/sources/xlsx.js';
import { CrmEtlError } from '../../core/errors.js';
import type { MalformedRow, RawRecord } from '../../core/record.js';
import type { Cursor, SourceBatch, SourceConnector } from '../connector.js';
import { fieldsBuilder } from '../csv/fields-builder.js';
import { KeySet } from '../shared/key-set.js';
import type { CellKind } from './cell-text.js';
import { findHeaderRow, HEADER_SCAN_ROWS, headerNames } from './header-row.js';
import { FNV_OFFSET, mix, mixText, readCellFormats, readSharedStrings, readSheetRows, type ScannedRow, type SheetContext } from './sheet-reader.js';
import { columnLetters, readWorkbookParts, scanMergedRanges, type MergeRange, type SheetRef, type WorkbookParts } from './workbook-parts.js';
import { ZipFormatError, ZipPackage } from './zip-package.js';

/** Where the table was found, after `check()` or `read()`. */
export interface XlsxLayout {
  sheet: string;
  /** 1-based position of the sheet in the workbook's tab order. */
  sheetIndex: number;
  /** 1-based row number of the header. */
  headerRow: number;
  headerFound: boolean;
  columns: string[];
  /** Merged areas in the sheet; each one's value is repeated over the whole area. */
  mergedAreas: number;
}

/** What `check()` learns about an xlsx source. */
export interface XlsxCheck {
  columns: string[];
  /** Warnings: rows skipped above a detected header, a sheet without data. */
  notes: string[];
}

interface XlsxCursor {
  sheet?: string;
  headerRow?: number;
  size?: number;
  mtimeMs?: number;
  rows?: number;
  /** Digest of the delivered rows' cells (see RowDigest). */
  digest?: string;
}

/**
 * A running digest (32-bit FNV-1a) of rows' content, to tell on resume whether the rows a
 * previous read delivered are still the same. The scanner digests each row as it reads it
 * (see ScannedRow.hash); this chains the rows. 32 bits suffice: it only has to notice an edit
 * (a miss needs a 1-in-4-billion collision, on top of the same row count).
 */
class RowDigest {
  private h = FNV_OFFSET;

  update(row: ScannedRow): void {
    this.h = mix(mix(this.h, row.hash), 0x1e); // row separator
  }

  get value(): string {
    return (this.h >>> 0).toString(16).padStart(8, '0');
  }
}

/**
 * Reads one sheet of an .xlsx workbook as a stream (see sheet-reader.ts for the reader, and why
 * it is not exceljs's WorkbookReader).
 *
 * - Sheet: `sheet` by name or 1-based position; by default the first visible sheet.
 * - Header: `header_row`, or found (see {@link findHeaderRow}); rows above it are skipped, and
 *   `check()` says so in a note.
 * - Values are trimmed text (see cell-text.ts): text cells as they are (ids and phone numbers
 *   stored as text keep their leading zeros), numbers as Excel shows them at most (15 digits,
 *   no float noise, no exponent), date cells as ISO dates, formulas as their cached result,
 *   rich text as plain text, booleans TRUE/FALSE, errors as their code.
 * - Merged cells: the merged value is repeated in every cell of the area (a company merged over
 *   the rows of its contacts reaches every contact). The file lists merges after the rows, so
 *   the sheet is inflated once beforehand to find them (concurrently with reading the shared
 *   strings): one more decompression pass, no extra memory.
 * - Blank rows are skipped. A row without key or with a key seen before is quarantined with its
 *   sheet and row number. Cells right of the header with a value are kept under their column
 *   letter (`M`).
 * - Cursor: rows delivered and a digest of them. A read given the cursor skips those rows
 *   when the sheet and header are the same and either the file is unchanged or the rows still
 *   digest the same (rows only added below: an append). Otherwise (rows edited, sorted or
 *   removed: people edit spreadsheets in place) it reads the sheet from the start and says so
 *   with `resumed: false`.
 *
 * Memory: flat in the number of rows, but for the workbook's shared-strings table (Excel keeps
 * each distinct text of the workbook once there, and any row may point at any of it), held
 * compactly: about the size of the distinct text plus 12 bytes a string.
 */
export class XlsxSource implements SourceConnector {
  private lastLayout: XlsxLayout | undefined;

  constructor(private readonly cfg: XlsxSourceConfig) {}

  /** Sheet, header row and columns used by the last `check()` or `read()`; undefined before. */
  get layout(): XlsxLayout | undefined {
    return this.lastLayout;
  }

  private fail(message: string, cause?: unknown): CrmEtlError {
    return new CrmEtlError('SOURCE_SCHEMA', `source "${this.cfg.name}": ${this.cfg.path}: ${message}`, cause === undefined ? undefined : { cause });
  }

  private async openPackage(): Promise<{ zip: ZipPackage; parts: WorkbookParts; sheet: SheetRef }> {
    let zip: ZipPackage;
    try {
      zip = await ZipPackage.open(this.cfg.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code) throw sourceFileError(this.cfg, err);
      if (err instanceof ZipFormatError) throw this.fail(await this.notXlsxMessage(), err);
      throw err;
    }
    let parts: WorkbookParts;
    try {
      parts = await readWorkbookParts(zip);
    } catch (err) {
      throw this.fail(`not a readable .xlsx workbook (${(err as Error).message})`, err);
    }
    return { zip, parts, sheet: this.pickSheet(parts) };
  }

  private async notXlsxMessage(): Promise<string> {
    const fh = await open(this.cfg.path, 'r');
    try {
      const head = Buffer.alloc(8);
      await fh.read(head, 0, 8, 0);
      // OLE2 compound file: Excel 97–2003 .xls, or an .xlsx encrypted with a password.
      if (head.readUInt32BE(0) === 0xd0cf11e0) {
        return 'is an Excel 97–2003 (.xls) file or a password-protected workbook; save it as .xlsx without a password, or export it as CSV';
      }
      return 'is not an .xlsx workbook (no zip directory); if it is CSV or text, use kind: csv';
    } finally {
      await fh.close();
    }
  }

  private pickSheet(parts: WorkbookParts): SheetRef {
    const { sheets } = parts;
    const list = sheets.map((s) => `${s.index}: "${s.name}"${s.hidden ? ' (hidden)' : ''}`).join(', ');
    if (!sheets.length) throw this.fail('the workbook has no worksheet');
    const want = this.cfg.sheet;
    if (want === undefined) return sheets.find((s) => !s.hidden) ?? sheets[0]!;
    if (typeof want === 'string') {
      const byName = sheets.find((s) => s.name === want) ?? sheets.find((s) => s.name.trim().toLowerCase() === want.trim().toLowerCase());
      if (byName) return byName;
    }
    const n = typeof want === 'number' ? want : /^\d+$/.test(want.trim()) ? Number(want.trim()) : undefined;
    const byIndex = n === undefined ? undefined : sheets.find((s) => s.index === n);
    if (byIndex) return byIndex;
    throw new CrmEtlError('CONFIG_INVALID', `source "${this.cfg.name}": ${this.cfg.path} has no sheet ${JSON.stringify(want)}; its sheets are ${list}. Set sheet: to a name or a 1-based position.`);
  }

  /**
   * What reading the sheet needs first: its merged areas, the shared strings and the cell
   * formats. Read concurrently: the merge pre-scan mostly waits on inflating (zlib works on the
   * thread pool) while the shared strings are parsed.
   */
  private async prepare(zip: ZipPackage, parts: WorkbookParts, sheet: SheetRef): Promise<{ merges: MergeRange[]; ctx: SheetContext }> {
    try {
      const [merges, strings, formats] = await Promise.all([
        scanMergedRanges(zip, sheet.part),
        readSharedStrings(zip, parts.sharedStrings),
        readCellFormats(zip, parts.styles),
      ]);
      return { merges, ctx: { strings, formats, date1904: parts.date1904 } };
    } catch (err) {
      throw this.fail(`sheet "${sheet.name}" cannot be read (${(err as Error).message}); open and re-save it in Excel, or export it as CSV`, err);
    }
  }

  /** Non-blank rows of the sheet, in batches, merged areas filled in. */
  private async *sheetRows(zip: ZipPackage, sheet: SheetRef, merges: readonly MergeRange[], ctx: SheetContext): AsyncGenerator<ScannedRow[]> {
    const pending = [...merges].sort((a, b) => a.top - b.top);
    let next = 0;
    let active: { range: MergeRange; text: string; kind: CellKind }[] = [];
    try {
      for await (const batch of readSheetRows(zip, sheet.part, ctx)) {
        const out: ScannedRow[] = [];
        for (const row of batch) {
          const { number: r, texts, kinds } = row;
          if (next < pending.length || active.length) {
            while (next < pending.length && pending[next]!.top <= r) {
              const range = pending[next++]!;
              const master = range.top === r ? { text: texts[range.left - 1] ?? '', kind: kinds[range.left - 1] ?? 'text' } : { text: '', kind: 'empty' as const };
              active.push({ range, ...master });
            }
            active = active.filter((a) => a.range.bottom >= r);
            for (const a of active) {
              if (!a.text) continue;
              for (let c = a.range.left; c <= a.range.right; c++) {
                while (texts.length < c) texts.push('');
                if (texts[c - 1]) continue;
                texts[c - 1] = a.text;
                row.filled++;
                row.hash = mix(mix(row.hash, c | 0x40000000), mixText(FNV_OFFSET, a.text)); // a filled-in merged value
                if (ctx.kinds !== false) {
                  while (kinds.length < c) kinds.push('empty');
                  kinds[c - 1] = a.kind;
                }
              }
            }
          }
          if (row.filled) out.push(row);
        }
        if (out.length) yield out;
      }
    } catch (err) {
      if (err instanceof CrmEtlError) throw err;
      throw this.fail(`sheet "${sheet.name}" cannot be read (${(err as Error).message}); open and re-save it in Excel, or export it as CSV`, err);
    }
  }

  /** Reads up to the header: the header row and the rows already read past it. */
  private async locateHeader(rows: AsyncGenerator<ScannedRow[]>, sheet: SheetRef): Promise<{ header: ScannedRow; found: boolean; skipped: number; after: ScannedRow[] }> {
    const given = this.cfg.header_row;
    const scan: ScannedRow[] = [];
    for (;;) {
      if (given === undefined && scan.length >= HEADER_SCAN_ROWS) break;
      const { value, done } = await rows.next();
      if (done) break;
      if (given === undefined) {
        scan.push(...value);
        continue;
      }
      const at = value.findIndex((r) => r.number >= given);
      if (at < 0) continue;
      if (value[at]!.number === given) return { header: value[at]!, found: false, skipped: 0, after: value.slice(at + 1) };
      break;
    }
    if (given !== undefined) {
      throw this.fail(`header_row ${given} of sheet "${sheet.name}" is empty; set header_row: to the row holding the column names, or remove it to find the header`);
    }
    if (!scan.length) throw this.fail(`sheet "${sheet.name}" is empty (no header row)`);
    const at = findHeaderRow(scan.slice(0, HEADER_SCAN_ROWS));
    return { header: scan[at]!, found: true, skipped: at, after: scan.slice(at + 1) };
  }

  /** Digest of the first `count` non-blank rows below the header, as a read delivering them computes it. */
  private async digestOfRows(zip: ZipPackage, sheet: SheetRef, merges: readonly MergeRange[], ctx: SheetContext, headerRow: number, count: number): Promise<string> {
    const digest = new RowDigest();
    let n = 0;
    const rows = this.sheetRows(zip, sheet, merges, { ...ctx, kinds: false });
    try {
      for await (const batch of rows) {
        for (const row of batch) {
          if (row.number <= headerRow) continue;
          digest.update(row);
          if (++n === count) return digest.value;
        }
      }
      return ''; // fewer rows than delivered: rows were removed
    } finally {
      await rows.return(undefined);
    }
  }

  /** Reports the header's columns and, in `notes`, rows skipped above a detected header. */
  async check(): Promise<XlsxCheck> {
    const { zip, parts, sheet } = await this.openPackage();
    const { merges, ctx } = await this.prepare(zip, parts, sheet);
    const rows = this.sheetRows(zip, sheet, merges, ctx);
    try {
      const { header, found, skipped, after } = await this.locateHeader(rows, sheet);
      const columns = headerNames(header.texts);
      this.lastLayout = { sheet: sheet.name, sheetIndex: sheet.index, headerRow: header.number, headerFound: found, columns, mergedAreas: merges.length };
      const notes: string[] = [];
      if (found && skipped) {
        notes.push(
          `source "${this.cfg.name}": the header of sheet "${sheet.name}" in ${this.cfg.path} was found on row ${header.number}; ` +
            `${skipped} non-blank row(s) above it are skipped (a title or notes). Set header_row: if another row holds the column names.`,
        );
      }
      if (found && !after.length) notes.push(`source "${this.cfg.name}": sheet "${sheet.name}" in ${this.cfg.path} has no data below its header (row ${header.number}).`);
      return { columns, notes };
    } finally {
      await rows.return(undefined);
    }
  }

  async *read(opts: { cursor?: Cursor; batchSize?: number } = {}): AsyncIterable<SourceBatch> {
    const batchSize = opts.batchSize ?? 5000;
    const { zip, parts, sheet } = await this.openPackage();
    const { size, mtimeMs } = await stat(this.cfg.path);
    const { merges, ctx } = await this.prepare(zip, parts, sheet);
    const rows = this.sheetRows(zip, sheet, merges, ctx);
    const location = this.cfg.path;
    const source = this.cfg.name;
    try {
      const { header, found, after } = await this.locateHeader(rows, sheet);
      const names = headerNames(header.texts);
      const width = names.length;
      const buildFields = fieldsBuilder(names, 'as-is');
      ctx.kinds = false; // only header detection looks at cell kinds
      this.lastLayout = { sheet: sheet.name, sheetIndex: sheet.index, headerRow: header.number, headerFound: found, columns: names, mergedAreas: merges.length };
      const want = Array.isArray(this.cfg.key) ? this.cfg.key : [this.cfg.key];
      const keyCols = want.map((k) => {
        const idx = names.indexOf(k);
        if (idx < 0) {
          throw new CrmEtlError(
            'SOURCE_SCHEMA',
            `source "${source}": key column "${k}" is not in the header (row ${header.number}) of sheet "${sheet.name}" in ${location} (columns: ${names.join(', ')})`,
          );
        }
        return idx;
      });

      const prev = opts.cursor as XlsxCursor | undefined;
      let skip = 0;
      if (prev && typeof prev.rows === 'number' && prev.rows > 0 && prev.sheet === sheet.name && prev.headerRow === header.number) {
        const unchanged = prev.size === size && prev.mtimeMs === mtimeMs;
        if (unchanged || (typeof prev.digest === 'string' && (await this.digestOfRows(zip, sheet, merges, ctx, header.number, prev.rows)) === prev.digest)) {
          skip = prev.rows;
        }
      }
      const resumed = opts.cursor ? skip > 0 : undefined;
      const digest = new RowDigest();
      const seen = new KeySet();
      let records: RawRecord[] = [];
      let malformed: MalformedRow[] = [];
      let rowsRead = 0;
      const cursorOf = (done: boolean): Cursor => ({ sheet: sheet.name, headerRow: header.number, size, mtimeMs, rows: rowsRead, digest: digest.value, done });
      const batchOf = (done: boolean): SourceBatch =>
        resumed === undefined ? { records, malformed, cursor: cursorOf(done) } : { records, malformed, cursor: cursorOf(done), resumed };

      const take = (row: ScannedRow): void => {
        rowsRead++;
        const t = row.texts;
        digest.update(row);
        const key = keyCols.length === 1 ? (t[keyCols[0]!] ?? '') : keyCols.map((i) => t[i] ?? '').join('|');
        if (rowsRead <= skip) {
          // Delivered by the previous read: only its key matters, so a repeat after the
          // cursor is still caught as one.
          if (key) seen.add(key);
          return;
        }
        const lineage = { location, sheet: sheet.name, line: row.number };
        if (!key || (keyCols.length > 1 && keyCols.every((i) => !t[i]))) {
          malformed.push({ source, lineage, code: 'MISSING_KEY', message: `the key column is empty (sheet "${sheet.name}", row ${row.number})`, raw: t.join('\t') });
          return;
        }
        if (!seen.add(key)) {
          malformed.push({ source, lineage, code: 'DUPLICATE_KEY', message: `key "${key}" already appeared earlier in sheet "${sheet.name}"`, raw: t.join('\t') });
          return;
        }
        const fields = buildFields(t);
        for (let i = width; i < t.length; i++) if (t[i]) fields[columnLetters(i + 1)] = t[i]!;
        records.push({ source, key, fields, lineage });
      };

      let batch: ScannedRow[] | undefined = after;
      while (batch) {
        for (const row of batch) {
          take(row);
          if (records.length >= batchSize || malformed.length >= batchSize) {
            yield batchOf(false);
            records = [];
            malformed = [];
          }
        }
        const { value, done } = await rows.next();
        batch = done ? undefined : value;
      }
      yield batchOf(true);
    } finally {
      await rows.return(undefined);
    }
  }
}
