import { dateFormatTokens, type LayoutField } from '../../config/sources/fixed-width.js';
import { compileDateParser, parseDisplayNumber, parseZoned, unpackPacked, type FieldResult } from './field-codecs.js';
import type { SingleByteCodec } from './single-byte.js';

/** Why a record's bytes do not fit its layout: the field, and the byte (0-based, in the record) at fault. */
export interface FieldError {
  field: string;
  type: LayoutField['type'];
  /** First and last byte of the field, 1-based as in the layout. */
  start: number;
  end: number;
  code: string;
  message: string;
  /** 0-based byte in the record where the problem is. */
  at: number;
}

/** A layout compiled for one encoding: reads a record's fields from its bytes and decoded text. */
export interface RecordLayout {
  columns: string[];
  /** Bytes a record needs to hold every field. */
  width: number;
  /**
   * Fills `out` with the record's fields (trimmed text; numbers as plain decimal text; dates as
   * yyyy-mm-dd). `text` is the record decoded, one character per byte. Returns the first field
   * that cannot be read, or null.
   */
  read(bytes: Buffer, start: number, text: string, out: Record<string, string>): FieldError | null;
}

function isPad(c: number): boolean {
  return c === 32 || c === 0 || (c >= 9 && c <= 13) || c === 0xa0;
}

/**
 * `text[start, end)` without surrounding white space and NULs (low-values, which legacy
 * programs use as padding), cut once rather than sliced and then trimmed.
 */
export function trimmedSlice(text: string, start: number, end: number): string {
  let s = start;
  let e = end;
  while (s < e && isPad(text.charCodeAt(s))) s++;
  while (e > s && isPad(text.charCodeAt(e - 1))) e--;
  const v = text.substring(s, e);
  // Other Unicode spaces (U+2000…) only come from exotic code pages: leave them to trim().
  return v.length && (v.charCodeAt(0) > 0xff || v.charCodeAt(v.length - 1) > 0xff) ? v.trim() : v;
}

/** Trims spaces and also NULs. */
export function trimField(v: string): string {
  return trimmedSlice(v, 0, v.length);
}

type Reader = (bytes: Buffer, start: number, text: string) => FieldResult;

function readerOf(f: LayoutField, codec: SingleByteCodec): Reader {
  const s = f.start - 1;
  const e = s + f.length;
  const { scale, signed } = f;
  switch (f.type) {
    case 'string':
      return (_b, _st, text) => trimmedSlice(text, s, e);
    case 'integer':
      return (_b, _st, text) => parseDisplayNumber(text, 0, signed, false, s, e);
    case 'decimal':
      return (_b, _st, text) => parseDisplayNumber(text, scale, signed, true, s, e);
    case 'zoned':
      return (_b, _st, text) => parseZoned(text, scale, signed, s, e);
    case 'packed': {
      const space = codec.space;
      const length = f.length;
      return (bytes, st) => unpackPacked(bytes, st + s, length, scale, signed, space);
    }
    case 'date': {
      const parse = compileDateParser(dateFormatTokens(f.format ?? 'yyyymmdd') ?? []);
      // A value that is not a real date (31 February, month 13) is kept as written: the validate
      // stage rejects the value with its reason and the customer record is still read.
      return (_b, _st, text) => parse(text, s, e) ?? trimmedSlice(text, s, e);
    }
    default: {
      const never: never = f.type;
      return never;
    }
  }
}

/** Compiles a validated layout (see `fixedWidthSourceSchema`) for a codec. */
export function compileLayout(layout: readonly LayoutField[], codec: SingleByteCodec): RecordLayout {
  const fields = layout.map((f) => ({ f, name: f.name, read: readerOf(f, codec), start: f.start - 1 }));
  const n = fields.length;
  return {
    columns: layout.map((f) => f.name),
    width: Math.max(...layout.map((f) => f.start + f.length - 1)),
    read(bytes, start, text, out) {
      for (let i = 0; i < n; i++) {
        const x = fields[i]!;
        const r = x.read(bytes, start, text);
        if (typeof r !== 'string') {
          return { field: x.f.name, type: x.f.type, start: x.f.start, end: x.f.start + x.f.length - 1, code: r.code, message: r.message, at: x.start + r.at };
        }
        out[x.name] = r;
      }
      return null;
    },
  };
}
