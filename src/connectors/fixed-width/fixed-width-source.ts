import { fileFingerprint, fileMayResume, rereadNote, sourceFileError, type FileStamp } from '../shared/source-file.js';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { FixedWidthSourceConfig } from '../../config/sources/fixed-width.js';
import { CrmEtlError } from '../../core/errors.js';
import type { MalformedRow, RawRecord } from '../../core/record.js';
import type { Cursor, SourceBatch, SourceConnector } from '../connector.js';
import { KeySet } from '../shared/key-set.js';
import { compileLayout } from './record-layout.js';
import { singleByteCodec, type SingleByteCodec } from './single-byte.js';

/**
 * Records per batch when the caller does not say. A batch's records stay alive until the
 * consumer is done with them; at 5,000 they outlive young-generation collections, get promoted,
 * and the read spent a third of its time in the garbage collector (bench/legacy-connectors.ts).
 * 1,000 keeps them in the nursery and is still a fair size for multi-row inserts.
 */
const DEFAULT_BATCH = 1000;
const CHUNK_BYTES = 1 << 20;
const SNIFF_BYTES = 64 * 1024;
/** A line longer than this means the file is not line-based: stop rather than buffer it whole. */
const MAX_LINE_BYTES = 64 << 20;
const MAX_RAW_CHARS = 4000;

/** Where a read stopped; cumulative over resumed reads. */
export interface FixedWidthCursor {
  /** File size, modification time and fingerprint when read: a resume needs the same file or a grown one (see fileMayResume). */
  size: number;
  mtimeMs: number;
  fingerprint: string;
  /** Byte offset of the next record. */
  offset: number;
  /** Physical records consumed (delivered, skipped, malformed and blank lines alike). */
  records: number;
  delivered: number;
  /** Records of another type than `record_type` (and blank lines). */
  skipped: number;
  malformed: number;
  done: boolean;
}

async function readCursor(c: Cursor | undefined, path: string, now: FileStamp): Promise<FixedWidthCursor | null> {
  if (!c) return null;
  const p = c as Partial<FixedWidthCursor>;
  const nums = [p.size, p.mtimeMs, p.offset, p.records, p.delivered, p.skipped, p.malformed];
  if (!nums.every((n) => typeof n === 'number' && Number.isFinite(n))) return null;
  if (p.offset! > p.size! || !(await fileMayResume(path, p as FixedWidthCursor, now))) return null;
  return p as FixedWidthCursor;
}

/** Replaces control characters (packed bytes, low-values) so a raw record can go to the rejects table. */
function printable(text: string): string {
  const t = text.length > MAX_RAW_CHARS ? text.slice(0, MAX_RAW_CHARS) + '…' : text;
  // eslint-disable-next-line no-control-regex
  return t.replace(/[\u0000-\u001f\u007f-\u009f]/g, '·');
}

/**
 * Streams a legacy flat file described by a record layout: fixed-length records (with
 * `record_length`, no line breaks, as mainframes write them) or lines; EBCDIC or any
 * single-byte encoding; text, display, zoned and packed (COMP-3) numbers and dates. Records of
 * another `record_type` are skipped and counted; a record too short or too long for its layout,
 * or whose numeric bytes are not valid, is yielded as malformed with its record number and
 * byte offset, and the read goes on. Lineage: the file and the record number (1-based, which is
 * the line number in a line-based file). The cursor is the byte offset of the next record, so a
 * resumed read seeks there instead of reading the delivered records again.
 */
export class FixedWidthSource implements SourceConnector {
  constructor(private readonly cfg: FixedWidthSourceConfig) {}

  private codec(): SingleByteCodec {
    const codec = singleByteCodec(this.cfg.encoding);
    if (!codec) {
      throw new CrmEtlError(
        'CONFIG_INVALID',
        `source "${this.cfg.name}": encoding "${this.cfg.encoding}" is unknown or not single-byte; fixed-width positions are bytes, so use latin1, cp037, cp500, windows-1252, cp850, iso-8859-15 or another single-byte encoding`,
      );
    }
    return codec;
  }

  private recordTypeBytes(codec: SingleByteCodec): Buffer | null {
    const rt = this.cfg.record_type;
    if (!rt) return null;
    try {
      return codec.encode(rt.value);
    } catch (err) {
      throw new CrmEtlError('CONFIG_INVALID', `source "${this.cfg.name}": record_type.value "${rt.value}" cannot be written in ${codec.name}: ${(err as Error).message}`, { cause: err });
    }
  }

  private async openFile(): Promise<{ fh: FileHandle; size: number; mtimeMs: number }> {
    try {
      const fh = await open(this.cfg.path, 'r');
      const { size, mtimeMs } = await stat(this.cfg.path);
      return { fh, size, mtimeMs };
    } catch (err) {
      throw sourceFileError(this.cfg, err);
    }
  }

  /** A batch; the first says whether a given cursor was honoured and, if not, why. */
  private batch(records: RawRecord[], malformed: MalformedRow[], cursor: Cursor, resume: { given: boolean; honoured: boolean; first: boolean }): SourceBatch {
    const b: SourceBatch = { records, malformed, cursor };
    if (resume.given) b.resumed = resume.honoured;
    if (resume.given && !resume.honoured && resume.first) b.notes = [rereadNote(this.cfg)];
    resume.first = false;
    return b;
  }

  /**
   * Checks the encoding, the file and that its structure matches `record_length`: line breaks
   * at every record boundary mean the file is line-based (or the length is off by the line
   * break); no line break in the first 64 KiB of a larger file means it needs `record_length`.
   */
  async check(): Promise<{ columns: string[] }> {
    const codec = this.codec();
    this.recordTypeBytes(codec);
    const { fh, size } = await this.openFile();
    let head: Buffer;
    try {
      const buf = Buffer.alloc(Math.min(SNIFF_BYTES, size));
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
    const isEnd = (b: number | undefined): boolean => b !== undefined && codec.lineEnds.includes(b);
    const firstEnd = head.findIndex((b) => isEnd(b));
    const L = this.cfg.record_length;
    const where = `source "${this.cfg.name}" (${this.cfg.path})`;
    if (L !== undefined && firstEnd >= 0) {
      // Line breaks inside packed fields are possible, so only a break at every record
      // boundary counts: the first line's length gives the stride.
      const stride = firstEnd + 1;
      let periodic = head.length >= 2 * stride;
      for (let k = stride - 1; periodic && k < head.length; k += stride) if (!isEnd(head[k])) periodic = false;
      if (periodic) {
        const lineLen = head[firstEnd - 1] === codec.cr ? firstEnd - 1 : firstEnd;
        throw new CrmEtlError(
          'SOURCE_SCHEMA',
          `${where}: records are separated by line breaks (every ${stride} bytes, ${lineLen} bytes of data), but record_length ${L} says fixed-length records without line breaks; remove record_length to read the file line by line`,
        );
      }
    }
    if (L === undefined && firstEnd < 0 && size > SNIFF_BYTES) {
      throw new CrmEtlError(
        'SOURCE_SCHEMA',
        `${where}: no line break in the first ${SNIFF_BYTES / 1024} KiB; a file of fixed-length records without line breaks (typical of EBCDIC exports) needs record_length (the record size in bytes, LRECL)`,
      );
    }
    return { columns: this.cfg.layout.map((f) => f.name) };
  }

  async *read(opts: { cursor?: Cursor; batchSize?: number } = {}): AsyncIterable<SourceBatch> {
    const cfg = this.cfg;
    const batchSize = opts.batchSize ?? DEFAULT_BATCH;
    const codec = this.codec();
    const typeBytes = this.recordTypeBytes(codec);
    const typeStart = cfg.record_type ? cfg.record_type.start - 1 : 0;
    const typeEnd = cfg.record_type ? typeStart + cfg.record_type.length : 0;
    const layout = compileLayout(cfg.layout, codec);
    const width = layout.width;
    const L = cfg.record_length;
    const source = cfg.name;
    const location = cfg.path;
    const keyNames = typeof cfg.key === 'string' ? [cfg.key] : [...cfg.key];
    const key0 = keyNames[0]!;
    const [lf, nl] = codec.lineEnds;
    const cr = codec.cr;
    const space = codec.space;

    const { fh, size, mtimeMs } = await this.openFile();
    const stamp: FileStamp = { size, mtimeMs, fingerprint: await fileFingerprint(cfg.path, size) };
    const prev = await readCursor(opts.cursor, cfg.path, stamp);
    const resume = { given: opts.cursor !== undefined, honoured: prev !== null, first: true };
    const st: FixedWidthCursor = prev
      ? { ...prev, ...stamp, done: false }
      : { ...stamp, offset: 0, records: 0, delivered: 0, skipped: 0, malformed: 0, done: false };
    const cursorOf = (done: boolean): Cursor => ({ ...st, done });

    const seen = new KeySet();
    let records: RawRecord[] = [];
    let malformed: MalformedRow[] = [];
    let buf = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, 2 * (L ?? 0)));
    let base = st.offset; // file offset of buf[0]
    let pos = 0;
    let end = 0;
    let eof = false;

    const fill = async (): Promise<void> => {
      if (pos > 0) {
        buf.copy(buf, 0, pos, end);
        base += pos;
        end -= pos;
        pos = 0;
      }
      if (end === buf.length) {
        if (buf.length >= MAX_LINE_BYTES) {
          throw new CrmEtlError(
            'SOURCE_SCHEMA',
            `source "${source}": no line break in the ${MAX_LINE_BYTES >> 20} MiB after byte ${base} of ${location}; a file of fixed-length records without line breaks needs record_length`,
          );
        }
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, end);
        buf = bigger;
      }
      const { bytesRead } = await fh.read(buf, end, buf.length - end, base + end);
      if (bytesRead === 0) eof = true;
      end += bytesRead;
    };

    const reject = (line: number, code: string, message: string, rs: number, re: number): void => {
      st.malformed++;
      malformed.push({ source, lineage: { location, line }, code, message, raw: printable(codec.decode(buf, rs, re)) });
    };

    /** One physical record `buf[rs, re)`, line break excluded. */
    const take = (rs: number, re: number): void => {
      const n = ++st.records;
      const offset = base + rs;
      const len = re - rs;
      if (L === undefined) {
        let blank = true;
        for (let i = rs; i < re && blank; i++) if (buf[i] !== space) blank = false;
        if (blank) {
          st.skipped++;
          return;
        }
      }
      if (typeBytes) {
        if (len < typeEnd) {
          reject(n, 'SHORT_RECORD', `record ${n} at byte ${offset} is ${len} bytes, too short to hold its record type (bytes ${typeStart + 1}-${typeEnd})`, rs, re);
          return;
        }
        for (let i = 0; i < typeBytes.length; i++) {
          if (buf[rs + typeStart + i] !== typeBytes[i]) {
            st.skipped++;
            return;
          }
        }
      }
      const need = L ?? width;
      if (len < need) {
        reject(n, 'SHORT_RECORD', `record ${n} at byte ${offset} is ${len} bytes; the layout needs ${need}${L === undefined ? '' : ' (record_length)'}`, rs, re);
        return;
      }
      if (L === undefined && len > width) {
        for (let i = rs + width; i < re; i++) {
          if (buf[i] !== space) {
            reject(n, 'LONG_RECORD', `record ${n} at byte ${offset} is ${len} bytes; the layout has ${width} (byte ${i - rs + 1} is not blank)`, rs, re);
            return;
          }
        }
      }
      const text = codec.decode(buf, rs, rs + width);
      const fields: Record<string, string> = {};
      const bad = layout.read(buf, rs, text, fields);
      if (bad) {
        reject(
          n,
          bad.code,
          `record ${n} at byte ${offset}: field "${bad.field}" (${bad.type}, bytes ${bad.start}-${bad.end}): ${bad.message}, at byte offset ${offset + bad.at} of the file`,
          rs,
          re,
        );
        return;
      }
      const key = keyNames.length === 1 ? fields[key0]! : keyNames.map((k) => fields[k]).join('|');
      if (!key || (keyNames.length > 1 && keyNames.every((k) => !fields[k]))) {
        reject(n, 'MISSING_KEY', `record ${n} at byte ${offset}: the key field ${keyNames.map((k) => `"${k}"`).join(', ')} is empty`, rs, re);
        return;
      }
      if (!seen.add(key)) {
        reject(n, 'DUPLICATE_KEY', `record ${n} at byte ${offset}: key "${key}" already appeared earlier in the file`, rs, re);
        return;
      }
      st.delivered++;
      records.push({ source, key, fields, lineage: { location, line: n } });
    };

    try {
      for (;;) {
        let next: number;
        if (L !== undefined) {
          if (end - pos < L) {
            if (!eof) {
              await fill();
              continue;
            }
            if (pos < end) {
              // Padding some tools append after the last record is not a record.
              let padding = true;
              for (let i = pos; i < end && padding; i++) {
                const b = buf[i]!;
                if (!(b === 0 || b === 0x1a || b === space || b === cr || codec.lineEnds.includes(b))) padding = false;
              }
              if (!padding) take(pos, end);
              pos = end;
              st.offset = base + pos;
            }
            break;
          }
          take(pos, pos + L);
          next = pos + L;
        } else {
          let at = lf === undefined ? -1 : buf.indexOf(lf, pos);
          if (at >= end) at = -1;
          if (nl !== undefined) {
            const other = buf.indexOf(nl, pos);
            if (other >= 0 && other < end && (at < 0 || other < at)) at = other;
          }
          if (at < 0) {
            if (!eof) {
              await fill();
              continue;
            }
            if (pos < end) take(pos, end > pos && buf[end - 1] === cr ? end - 1 : end);
            pos = end;
            st.offset = base + pos;
            break;
          }
          take(pos, at > pos && buf[at - 1] === cr ? at - 1 : at);
          next = at + 1;
        }
        pos = next;
        st.offset = base + pos;
        if (records.length >= batchSize || malformed.length >= batchSize) {
          yield this.batch(records, malformed, cursorOf(false), resume);
          records = [];
          malformed = [];
        }
      }
    } finally {
      await fh.close();
    }
    yield this.batch(records, malformed, cursorOf(true), resume);
  }
}
