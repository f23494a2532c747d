import { CrmEtlError, type ErrorCode } from '../../core/errors.js';
import type { SqlDialect } from './sql-url.js';

/** What an error message says about where it happened. Never holds a password or a row value. */
export interface SqlErrorContext {
  /** The source's name. */
  source: string;
  dialect: SqlDialect;
  /** The URL with its password masked. */
  maskedUrl: string;
  /** `table customers` or `the query`. */
  what: string;
}

/** How a driver error is reported: our code, what went wrong, and what to do. */
interface Classified {
  code: ErrorCode;
  problem: string;
  advice: string;
  /** Whether the driver's message can be shown: it names objects, not data. */
  showMessage: boolean;
}

// Connection-level failures a retry can cure: the server is down, restarting or busy.
const TRANSIENT_NET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN', 'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT']);

function driverCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; errno?: unknown };
  if (typeof e.errno === 'number' && typeof e.code === 'string' && e.code.startsWith('ER_')) return String(e.errno);
  return typeof e.code === 'string' ? e.code : undefined;
}

function driverMessage(err: unknown): string {
  const e = err as { sqlMessage?: unknown; message?: unknown } | null;
  const message = typeof e?.sqlMessage === 'string' ? e.sqlMessage : typeof e?.message === 'string' ? e.message : String(err);
  return message.split('\n')[0]!.slice(0, 300);
}

function classify(err: unknown, dialect: SqlDialect, ctx: SqlErrorContext): Classified {
  const code = driverCode(err) ?? '';
  const message = driverMessage(err);
  const transient: Classified = {
    code: 'STORE_CONNECT',
    problem: `cannot reach the database ${ctx.maskedUrl}`,
    advice: 'check that the server is running and reachable from here, and the host and port in the source\'s url; the run can be retried',
    showMessage: true,
  };
  if (TRANSIENT_NET.has(code) || /connection timeout|timeout expired|Connection terminated/i.test(message)) return transient;
  if (code === 'ENOTFOUND') {
    return { code: 'SOURCE_NOT_FOUND', problem: `the database host in ${ctx.maskedUrl} is unknown`, advice: "fix the host in the source's url", showMessage: true };
  }
  const auth: Classified = {
    code: 'SOURCE_NOT_FOUND',
    problem: `the database ${ctx.maskedUrl} refused the login`,
    advice: "check the user name and password in the source's url (the environment variable it comes from) and that the user may connect",
    showMessage: true,
  };
  const unknownDb: Classified = {
    code: 'SOURCE_NOT_FOUND',
    problem: `the database or schema named for ${ctx.maskedUrl} does not exist`,
    advice: "fix the database name in the source's url or the source's schema option",
    showMessage: true,
  };
  const unknownTable: Classified = {
    code: 'SOURCE_NOT_FOUND',
    problem: `${ctx.what} names a table or view that does not exist in ${ctx.maskedUrl}`,
    advice: "fix the source's table (names are case-sensitive as written; use SCHEMA.NAME or the schema option for another schema) or query",
    showMessage: true,
  };
  const denied: Classified = {
    code: 'SOURCE_NOT_FOUND',
    problem: `the database user may not read ${ctx.what}`,
    advice: 'GRANT SELECT on it to the user in the source\'s url',
    showMessage: true,
  };
  const unknownColumn: Classified = {
    code: 'SOURCE_SCHEMA',
    problem: `a column named by the source's key, cursor, where, soft_delete or query does not exist in ${ctx.what}`,
    advice: 'fix the column name in the configuration, or the query',
    showMessage: true,
  };
  const badSql: Classified = {
    code: 'CONFIG_INVALID',
    problem: `the source's query or where is not valid SQL for ${dialect === 'postgres' ? 'PostgreSQL' : 'MySQL/MariaDB'}`,
    advice: 'fix the query or where option',
    showMessage: true,
  };
  const readOnly: Classified = {
    code: 'CONFIG_INVALID',
    problem: `reading ${ctx.what} tried to write to the database, which the read-only session refused`,
    advice: 'a sql source only reads: use a plain SELECT (and functions that do not write) in its query and where',
    showMessage: true,
  };
  const dataError: Classified = {
    code: 'CONFIG_INVALID',
    problem: `the database could not evaluate ${ctx.what} on the rows it holds (a cast, a division or a function failed)`,
    advice: 'fix the query or where option so that it works on every row',
    // Such messages quote the offending value, which is customer data.
    showMessage: false,
  };
  const other: Classified = {
    code: 'STORE_QUERY',
    problem: `reading ${ctx.what} failed`,
    advice: 'the run can be retried; if it fails again, check the database server',
    showMessage: false,
  };
  if (dialect === 'postgres' && /^[0-9A-Z]{5}$/.test(code)) {
    if (code.startsWith('08') || code === '53300' || code.startsWith('57P')) return transient;
    if (code.startsWith('28')) return auth;
    if (code === '3D000' || code === '3F000') return unknownDb;
    if (code === '42P01') return unknownTable;
    if (code === '42501') return denied;
    if (code === '42703') return unknownColumn;
    if (code === '25006') return readOnly;
    if (code.startsWith('42')) return badSql;
    if (code.startsWith('22')) return dataError;
    return { ...other, showMessage: code.startsWith('40') || code === '57014' };
  }
  switch (code) {
    case '1040': // too many connections
    case '1053': // server shutdown
    case '2006': // server has gone away
    case '2013': // lost connection
      return transient;
    case '1044':
    case '1045':
    case '1698':
      return auth;
    case '1049':
      return unknownDb;
    case '1146':
      return unknownTable;
    case '1142':
    case '1143':
      return denied;
    case '1054':
      return unknownColumn;
    case '1060': // duplicate column name in the query, now a derived table
      return { ...unknownColumn, problem: `two columns of ${ctx.what} have one name`, advice: 'give the columns of the query distinct names (… AS other_name)' };
    case '1792':
      return readOnly;
    case '1052': // ambiguous column
    case '1064': // syntax
    case '1248': // derived table without alias
    case '1267': // collations
    case '1305': // unknown function
    case '1582': // wrong parameter count
    case '1630':
      return badSql;
    case '1292':
    case '1365':
    case '1366':
    case '1406':
      return dataError;
    default:
      return other;
  }
}

/**
 * A driver error as a CrmEtlError that says what failed, where and what to do. It keeps the
 * statement without its values (they can be customer data) and shows the driver's own message
 * only when that message names objects rather than data, with the statement's values scrubbed
 * out of it anyway. The cause is a copy of the driver error without its SQL or values.
 */
export function toSqlSourceError(err: unknown, ctx: SqlErrorContext, statement?: { shown: string; params: readonly unknown[] }): CrmEtlError {
  if (err instanceof CrmEtlError) return err;
  const c = classify(err, ctx.dialect, ctx);
  const code = driverCode(err);
  let detail = code ?? 'error';
  if (c.showMessage) {
    let message = driverMessage(err);
    for (const v of statement?.params ?? []) {
      const s = Buffer.isBuffer(v) ? v.toString('hex') : String(v);
      // Shorter values cannot identify anyone, and scrubbing them would garble the message.
      if (s.length >= 3) message = message.split(s).join('?');
    }
    detail += `: ${message}`;
  }
  const where = statement ? `; statement: ${statement.shown}` : '';
  const cause = Object.assign(new Error(`${code ?? 'driver error'}${c.showMessage ? '' : ' (message withheld: it may quote row values)'}`), { code });
  // Before any statement runs, an unexplained failure is one of opening the session.
  const ourCode = c.code === 'STORE_QUERY' && statement === undefined ? 'STORE_CONNECT' : c.code;
  return new CrmEtlError(ourCode, `source "${ctx.source}": ${c.problem} (${detail}); ${c.advice}${where}`, { cause });
}
