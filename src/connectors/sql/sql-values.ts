/**
 * Turning database values into record text, and keyset positions into JSON and back.
 * Pure functions: the session decides which converter a column gets from the driver's metadata.
 */

/** Turns one driver value into text (untrimmed); NULL becomes ''. */
export type ValueConverter = (value: unknown) => string;

/** PostgreSQL type OIDs that need more than their text form. */
const PG_BOOL = 16;
const PG_BYTEA = 17;
const PG_TIMESTAMP = 1114;
const PG_TIMESTAMPTZ = 1184;

/** mysql2 column types (mysql2/lib/constants/types.js) that need more than the driver's value. */
const MYSQL_DATE = 10;
const MYSQL_NEWDATE = 14;
const MYSQL_TIMESTAMP = 7;
const MYSQL_DATETIME = 12;
const MYSQL_TIMESTAMP2 = 17;
const MYSQL_DATETIME2 = 18;
const MYSQL_BIT = 16;
const MYSQL_TINY = 1;

// `2024-03-01 09:30:00.123456` with an optional zone (`+00`, `+05:30`, `-08`); years of 4+ digits.
const SQL_TIMESTAMP = /^(\d{4,})-(\d\d)-(\d\d)[ T](\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d(?::?\d\d){0,2})?$/;

const PG_DATE = 1082;

/** PostgreSQL date, timestamp and timestamptz. */
export function isPgTimeType(dataTypeId: number): boolean {
  return dataTypeId === PG_DATE || dataTypeId === PG_TIMESTAMP || dataTypeId === PG_TIMESTAMPTZ;
}

/** MySQL/MariaDB DATE, DATETIME and TIMESTAMP. */
export function isMysqlTimeType(columnType: number): boolean {
  return [MYSQL_DATE, MYSQL_NEWDATE, MYSQL_TIMESTAMP, MYSQL_DATETIME, MYSQL_TIMESTAMP2, MYSQL_DATETIME2].includes(columnType);
}

/** An instant as both servers read a literal in a UTC session: `2024-03-01 09:30:00.123`. */
export function sqlUtcTime(at: Date): string {
  return at.toISOString().replace('T', ' ').replace('Z', '');
}

/**
 * A timestamp's text (`2024-03-01 09:30:00.123456+00`) as ISO 8601 in UTC
 * (`2024-03-01T09:30:00.123456Z`), keeping every significant fractional digit. The sessions run in UTC, so
 * zoned values arrive as `+00`; a value without a zone (`timestamp`, `DATETIME`) is taken as
 * UTC. Anything else (`infinity`, BC dates) is returned as it is.
 */
export function isoTimestamp(text: string): string {
  const fast = isoTimestampFast(text);
  if (fast !== undefined) return fast;
  const m = SQL_TIMESTAMP.exec(text);
  if (!m) return text;
  const [, y, mo, d, clock, zone] = m;
  // One spelling per instant on both servers: PostgreSQL drops trailing zeros, DATETIME(6) keeps them.
  const time = clock!.includes('.') ? clock!.replace(/\.?0+$/, '') : clock!;
  if (zone === undefined || /^[+-]00(?::?00){0,2}$/.test(zone)) return `${y}-${mo}-${d}T${time}Z`;
  // Only reached if a session's time zone was not UTC: still exact, with the offset spelled out.
  const offset = zone.length === 3 ? `${zone}:00` : zone.replace(/^([+-]\d\d)(\d\d)/, '$1:$2');
  return `${y}-${mo}-${d}T${time}${offset}`;
}

/**
 * The shape UTC sessions send (`YYYY-MM-DD HH:MM:SS[.ffffff][+00]`) without a regular expression:
 * a timestamp column is converted on every row, and the regex took most of a row's time.
 */
function isoTimestampFast(text: string): string | undefined {
  const n = text.length;
  if (n < 19 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 32 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) {
    return undefined;
  }
  let end = text.endsWith('+00') ? n - 3 : n;
  if (end > 19) {
    if (text.charCodeAt(19) !== 46) return undefined;
    for (let i = 20; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) return undefined;
    }
    while (end > 20 && text.charCodeAt(end - 1) === 48) end--;
    if (end === 20) end = 19;
  }
  return `${text.slice(0, 10)}T${text.slice(11, end)}Z`;
}

/** MySQL's zero dates (`0000-00-00`, `0000-00-00 00:00:00`) mean "no date": they become ''. */
function isZeroDate(text: string): boolean {
  return text.startsWith('0000-00-00');
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

/**
 * The converter for a PostgreSQL column. Every value arrives as PostgreSQL's own text (the
 * session installs no type parsers), which is already exact; booleans become `true`/`false`,
 * timestamps ISO 8601 UTC, bytea lowercase hex.
 */
export function pgConverter(dataTypeId: number): ValueConverter {
  switch (dataTypeId) {
    case PG_BOOL:
      return (v) => (v === null ? '' : v === 't' ? 'true' : v === 'f' ? 'false' : text(v));
    case PG_TIMESTAMP:
    case PG_TIMESTAMPTZ:
      return (v) => (typeof v === 'string' ? isoTimestamp(v) : text(v));
    case PG_BYTEA:
      return (v) => (typeof v === 'string' && v.startsWith('\\x') ? v.slice(2) : text(v));
    default:
      return text;
  }
}

/**
 * The converter for a MySQL/MariaDB column (mysql2 metadata). Dates and timestamps arrive as
 * text (dateStrings) and become ISO 8601 UTC, zero dates ''; TINYINT(1) (BOOLEAN) 0/1 become
 * `false`/`true`; BIT becomes its number; other binary values lowercase hex; numbers their text.
 */
export function mysqlConverter(columnType: number, columnLength = 0): ValueConverter {
  switch (columnType) {
    case MYSQL_TINY:
      // BOOLEAN is TINYINT(1): 0 and 1 read as on PostgreSQL; other numbers stay numbers.
      return columnLength === 1 ? (v) => (v === 1 ? 'true' : v === 0 ? 'false' : text(v)) : text;
    case MYSQL_TIMESTAMP:
    case MYSQL_DATETIME:
    case MYSQL_TIMESTAMP2:
    case MYSQL_DATETIME2:
      return (v) => (typeof v === 'string' ? (isZeroDate(v) ? '' : isoTimestamp(v)) : text(v));
    case MYSQL_DATE:
    case MYSQL_NEWDATE:
      return (v) => (typeof v === 'string' && isZeroDate(v) ? '' : text(v));
    case MYSQL_BIT:
      return (v) => (Buffer.isBuffer(v) ? (v.length === 0 ? '0' : BigInt(`0x${v.toString('hex')}`).toString()) : text(v));
    default:
      return text;
  }
}

/**
 * A keyset position value as JSON: text and numbers as they are, binary values as
 * `{ hex: '…' }`. These are the database's own values (not the record's converted text), so
 * comparing with them in SQL is exact: a timestamp keeps its microseconds.
 */
export type CursorValue = string | number | boolean | { hex: string };

/** The JSON form of a raw driver value used as a keyset position. */
export function encodeCursorValue(value: unknown): CursorValue {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return { hex: value.toString('hex') };
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

/** Whether a value read back from a saved cursor is one {@link encodeCursorValue} makes. */
export function isCursorValue(value: unknown): value is CursorValue {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return true;
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.keys(value).length === 1 &&
    typeof (value as { hex?: unknown }).hex === 'string' &&
    /^(?:[0-9a-f]{2})*$/.test((value as { hex: string }).hex)
  );
}

/** The value to bind for a saved position value. */
export function decodeCursorValue(value: CursorValue): string | number | boolean | Buffer {
  return typeof value === 'object' ? Buffer.from(value.hex, 'hex') : value;
}

/** Whether two raw position values are the same (to spot rows that repeat a key). */
export function sameCursorValue(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return a === b;
}
