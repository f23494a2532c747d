import { z } from 'zod';
import { baseSource } from '../source-base.js';

/** Field types of a fixed-width layout. */
export const FIXED_WIDTH_TYPES = ['string', 'integer', 'decimal', 'packed', 'zoned', 'date'] as const;

const DATE_TOKENS = /yyyy|yy|mm|ddd|dd|c|[^a-z]/gi;

/**
 * Splits a date format into its tokens (`yyyy`, `yy`, `mm`, `dd`, `ddd` day of year, `c`
 * IBM century digit, anything else a literal character). Null when a letter is not a token.
 */
export function dateFormatTokens(format: string): string[] | null {
  const tokens = format.match(DATE_TOKENS) ?? [];
  if (tokens.join('') !== format) return null;
  return tokens.map((t) => (/^[a-z]+$/i.test(t) ? t.toLowerCase() : t));
}

/**
 * One field of a record layout, as a copybook describes it. Positions are in bytes, 1-based,
 * as in the copybook listings and record-layout documents legacy files come with.
 */
export const layoutFieldSchema = z.strictObject({
  /** Column name the field gets (what `key` and `mapping` refer to). */
  name: z.string().min(1),
  /** First byte of the field, 1-based. */
  start: z.number().int().positive(),
  /** Bytes the field takes (for `packed`: bytes, holding 2 × length − 1 digits). */
  length: z.number().int().positive(),
  /**
   * `string` (default): text, trimmed. `integer`, `decimal`: display digits with an optional
   * leading or trailing sign and, for `decimal`, an optional explicit point. `packed`: COBOL
   * COMP-3. `zoned`: display digits with the sign overpunched on the last digit. `date`: text
   * in `format`, rendered `yyyy-mm-dd`.
   */
  type: z.enum(FIXED_WIDTH_TYPES).default('string'),
  /** Implied decimals (COBOL `V99` → 2) for `decimal`, `packed` and `zoned`. Default 0. */
  scale: z.number().int().min(0).max(30).default(0),
  /** The field may hold a negative value (COBOL `S9`). Default false: a negative value is malformed. */
  signed: z.boolean().default(false),
  /** Date format for `date` fields: `yyyymmdd` (default), `ddmmyyyy`, `yymmdd`, `cyymmdd`, `yyyyddd`, `yyyy-mm-dd`, … */
  format: z.string().min(1).optional(),
});
export type LayoutField = z.infer<typeof layoutFieldSchema>;

/** Options of a `fixed-width` source: legacy flat files described by a record layout. */
export const fixedWidthSourceSchema = z
  .strictObject({
    ...baseSource,
    kind: z.literal('fixed-width'),
    path: z.string().min(1),
    /**
     * A single-byte encoding: `latin1` (default; reads ASCII too), `cp037` and `cp500` (EBCDIC,
     * decoded by crm-etl's own tables), or any single-byte encoding iconv-lite knows
     * (`windows-1252`, `cp850`, `iso-8859-15`, `koi8-r`, …). Positions are bytes, so multi-byte
     * encodings such as UTF-8 are refused.
     */
    encoding: z.string().min(1).default('latin1'),
    /**
     * Fixed-length records of this many bytes with no line breaks (mainframe `RECFM=F/FB`
     * exports). When absent, each line (LF or CRLF; in EBCDIC, NL or LF) is a record.
     */
    record_length: z.number().int().positive().optional(),
    /** The fields of a record; their names are the source's columns. */
    layout: z.array(layoutFieldSchema).min(1, 'a layout needs at least one field'),
    /**
     * Keep only the records of one type (files mixing header, detail, note and trailer records):
     * a record whose bytes at `start`..`start + length − 1` are not `value` is skipped and
     * counted (in the cursor's `skipped`), not reported as malformed.
     */
    record_type: z
      .strictObject({
        start: z.number().int().positive(),
        length: z.number().int().positive(),
        value: z.string().min(1),
      })
      .optional(),
  })
  .superRefine((cfg, ctx) => {
    const names = new Set<string>();
    cfg.layout.forEach((f, i) => {
      if (names.has(f.name)) ctx.addIssue({ code: 'custom', path: ['layout', i, 'name'], message: `field "${f.name}" appears twice in the layout` });
      names.add(f.name);
      const end = f.start + f.length - 1;
      if (cfg.record_length !== undefined && end > cfg.record_length) {
        ctx.addIssue({ code: 'custom', path: ['layout', i], message: `field "${f.name}" ends at byte ${end}, past record_length ${cfg.record_length}` });
      }
      if (f.type === 'packed' && f.length > 16) {
        ctx.addIssue({ code: 'custom', path: ['layout', i, 'length'], message: `packed field "${f.name}" is ${f.length} bytes; COMP-3 fields hold at most 31 digits (16 bytes)` });
      }
      const digits = f.type === 'packed' ? 2 * f.length - 1 : f.length;
      if ((f.type === 'decimal' || f.type === 'packed' || f.type === 'zoned') && f.scale > digits) {
        ctx.addIssue({ code: 'custom', path: ['layout', i, 'scale'], message: `scale ${f.scale} is more than the ${digits} digits field "${f.name}" holds` });
      }
      if (f.scale > 0 && (f.type === 'string' || f.type === 'integer' || f.type === 'date')) {
        ctx.addIssue({ code: 'custom', path: ['layout', i, 'scale'], message: `scale applies to decimal, packed and zoned fields; field "${f.name}" is ${f.type}` });
      }
      if (f.format !== undefined && f.type !== 'date') {
        ctx.addIssue({ code: 'custom', path: ['layout', i, 'format'], message: `format applies to date fields; field "${f.name}" is ${f.type}` });
      }
      if (f.type === 'date') {
        const format = f.format ?? 'yyyymmdd';
        const tokens = dateFormatTokens(format);
        const width = tokens?.reduce((n, t) => n + t.length, 0);
        if (!tokens || !tokens.some((t) => t === 'yyyy' || t === 'yy')) {
          ctx.addIssue({ code: 'custom', path: ['layout', i, 'format'], message: `date format "${format}" is not understood; use yyyy, yy, mm, dd, ddd (day of year), c (century digit) and separators, e.g. yyyymmdd` });
        } else if (width !== f.length) {
          ctx.addIssue({ code: 'custom', path: ['layout', i, 'format'], message: `date format "${format}" is ${width} characters but field "${f.name}" is ${f.length} bytes` });
        } else if (!(tokens.includes('ddd') || (tokens.includes('mm') && tokens.includes('dd')))) {
          ctx.addIssue({ code: 'custom', path: ['layout', i, 'format'], message: `date format "${format}" needs mm and dd, or ddd` });
        }
      }
    });
    const keys = typeof cfg.key === 'string' ? [cfg.key] : cfg.key;
    for (const k of keys) {
      if (!names.has(k)) ctx.addIssue({ code: 'custom', path: ['key'], message: `key "${k}" is not a field of the layout (fields: ${[...names].join(', ')})` });
    }
    if (cfg.record_type) {
      const rt = cfg.record_type;
      if (rt.value.length !== rt.length) {
        ctx.addIssue({ code: 'custom', path: ['record_type', 'value'], message: `record_type.value "${rt.value}" is ${rt.value.length} characters but record_type.length is ${rt.length}` });
      }
      if (cfg.record_length !== undefined && rt.start + rt.length - 1 > cfg.record_length) {
        ctx.addIssue({ code: 'custom', path: ['record_type'], message: `record_type ends past record_length ${cfg.record_length}` });
      }
    }
  });
export type FixedWidthSourceConfig = z.infer<typeof fixedWidthSourceSchema>;
