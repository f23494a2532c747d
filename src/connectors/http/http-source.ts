import type { HttpSourceConfig } from '../../config/sources/http.js';
import { CrmEtlError } from '../../core/errors.js';
import type { MalformedRow, RawRecord } from '../../core/record.js';
import type { ReadOptions, SourceBatch, SourceConnector } from '../connector.js';
import { failedStatus, HttpClient, type JsonResponse } from './http-client.js';
import { advanceWatermark, endpointOf, planRead, type HttpCursor } from './http-cursor.js';
import { flattenRecord, recordsOf } from './json-records.js';
import { firstPage, nextPage, pageLabel, pageUrl, type PageState } from './pagination.js';
import { redactUrl } from './redact.js';
import { TokenBucket } from './token-bucket.js';

/** Longest raw JSON kept with a malformed entry. */
const RAW_LIMIT = 2000;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function rawOf(item: unknown): string {
  const s = JSON.stringify(item) ?? String(item);
  return s.length > RAW_LIMIT ? `${s.slice(0, RAW_LIMIT)}…` : s;
}

function headersOf(cfg: HttpSourceConfig): { headers: Record<string, string>; secrets: string[] } {
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'crm-etl' };
  // Lower-cased so that `auth` replaces, rather than joins, an Authorization header given by hand.
  for (const [name, value] of Object.entries(cfg.headers)) headers[name.toLowerCase()] = value;
  const secrets = Object.values(cfg.headers);
  if (cfg.auth?.type === 'bearer') {
    headers['authorization'] = `Bearer ${cfg.auth.token}`;
    secrets.push(cfg.auth.token);
  } else if (cfg.auth?.type === 'basic') {
    const b64 = Buffer.from(`${cfg.auth.username}:${cfg.auth.password}`, 'utf8').toString('base64');
    headers['authorization'] = `Basic ${b64}`;
    secrets.push(cfg.auth.password, b64);
  }
  return { headers, secrets };
}

/**
 * Reads a JSON REST API page by page (page number, offset, body cursor token or Link header),
 * with bearer or basic auth, a token-bucket rate limit and retries with backoff and jitter that
 * honour Retry-After. Nested objects become dotted columns (`address.city`); every record
 * carries the endpoint, the page and its 1-based position in the page (`line`). Entries that
 * are not objects, lack the key or repeat one are yielded as malformed, never dropped.
 *
 * The cursor ({@link HttpCursor}) continues a stopped run from its page state, or starts a new
 * incremental run from the largest `cursor_field` value the last complete run saw.
 */
export class HttpSource implements SourceConnector {
  private readonly client: HttpClient;
  private readonly base: URL;
  private readonly location: string;

  constructor(private readonly cfg: HttpSourceConfig) {
    const { headers, secrets } = headersOf(cfg);
    this.client = new HttpClient({
      source: cfg.name,
      headers,
      secrets,
      retries: cfg.retries,
      retryBaseMs: cfg.retry_base_ms,
      retryMaxMs: cfg.retry_max_ms,
      timeoutMs: cfg.timeout_ms,
      bucket: new TokenBucket(cfg.rate_limit, cfg.rate_burst),
    });
    this.base = new URL(cfg.url);
    this.location = redactUrl(this.base);
  }

  private async fetchPage(state: PageState, filter: string | null): Promise<{ url: URL; res: JsonResponse; items: unknown[] }> {
    const since = filter !== null && this.cfg.since_param ? { param: this.cfg.since_param, value: filter } : null;
    const url = pageUrl(this.base, this.cfg.pagination, state, since);
    const res = await this.client.getJson(url);
    const found = recordsOf(res.body, this.cfg.records_path);
    if (!found.ok) {
      throw new CrmEtlError(
        'SOURCE_SCHEMA',
        `source "${this.cfg.name}": the answer to GET ${redactUrl(url)} has ${found.found}; set records_path to the dotted path of the records array`,
      );
    }
    return { url, res, items: found.items };
  }

  private keyOf(fields: Readonly<Record<string, string>>): string {
    const cols = typeof this.cfg.key === 'string' ? [this.cfg.key] : this.cfg.key;
    if (cols.length === 1) return fields[cols[0]!] ?? '';
    return cols.some((c) => !fields[c]) ? '' : cols.map((c) => fields[c]).join('|');
  }

  /** Fetches the first page (no `since` filter): columns are the flattened names its records have. */
  async check(): Promise<{ columns: string[] }> {
    const { url, items } = await this.fetchPage(firstPage(this.cfg.pagination), null);
    const columns = new Set<string>();
    for (const item of items) if (isPlainObject(item)) for (const c of Object.keys(flattenRecord(item))) columns.add(c);
    const field = this.cfg.cursor_field;
    if (field && columns.size && !columns.has(field)) {
      throw new CrmEtlError(
        'SOURCE_SCHEMA',
        `source "${this.cfg.name}": cursor_field "${field}" is in none of the records of GET ${redactUrl(url)}; ` +
          `the records have: ${[...columns].join(', ')}. Name the field holding the update time.`,
      );
    }
    return { columns: [...columns] };
  }

  async *read(opts: ReadOptions = {}): AsyncIterable<SourceBatch> {
    const batchSize = opts.batchSize ?? 5000;
    const { cfg, location } = this;
    const source = cfg.name;
    if (opts.since !== undefined && !cfg.since_param) {
      throw new CrmEtlError('INPUT_INVALID', `source "${source}" has no since_param, so it cannot be read from a time: set since_param and cursor_field, or re-read it with --full`);
    }
    const plan = planRead(cfg, opts.cursor, opts.since);
    const { filter } = plan;
    const endpoint = endpointOf(cfg);
    let { page: state, skip, since } = plan;
    const resuming = skip > 0 || JSON.stringify(state) !== JSON.stringify(firstPage(cfg.pagination));
    const cursorAt = (page: PageState | null, pos: number, done: boolean): HttpCursor => ({ v: 1, endpoint, filter, since, page, pos, done });

    // A server that ignores the paging parameters, or hands out the same token again, would
    // otherwise be read forever: visited tokens/links and an all-repeats page stop the read.
    const visited = new Set<string>([JSON.stringify(state)]);
    const seenKeys = new Set<string>();
    let repeatPages = 0;
    let records: RawRecord[] = [];
    let malformed: MalformedRow[] = [];
    // check() saw the first page only; a field that first appears later is reported with the
    // batch that has it (a few Set lookups a record, next to a request per page).
    const known = new Set<string>();
    let fresh: string[] = [];
    const batchOf = (cursor: HttpCursor): SourceBatch => {
      const b: SourceBatch = { records, malformed, cursor };
      if (fresh.length) b.columns = fresh;
      fresh = [];
      return b;
    };

    for (let pageNo = 0; ; pageNo++) {
      let fetched: Awaited<ReturnType<HttpSource['fetchPage']>>;
      try {
        fetched = await this.fetchPage(state, filter);
      } catch (err) {
        const status = failedStatus(err);
        // A saved page token the API no longer accepts (400, 410, 422…) would fail every resume.
        if (pageNo === 0 && resuming && err instanceof CrmEtlError && status !== undefined && status >= 400 && status < 500 && status !== 401 && status !== 403) {
          throw new CrmEtlError(
            err.code,
            `${err.message}. This read continues a stopped run from its saved page; if the API's page tokens expire, run the source again with a full read`,
            { cause: err },
          );
        }
        throw err;
      }
      const { url, res, items } = fetched;
      const page = pageLabel(state, url);
      let keyed = 0;
      let unseen = 0;
      for (let i = skip; i < items.length; i++) {
        const lineage = { location, page, line: i + 1 };
        const item = items[i];
        if (!isPlainObject(item)) {
          malformed.push({ source, lineage, code: 'NOT_AN_OBJECT', message: `entry ${i + 1} of page ${page} is ${item === null ? 'null' : Array.isArray(item) ? 'an array' : `a ${typeof item}`}, not a record object`, raw: rawOf(item) });
        } else {
          const fields = flattenRecord(item);
          const key = this.keyOf(fields);
          if (!key) {
            malformed.push({ source, lineage, code: 'MISSING_KEY', message: `entry ${i + 1} of page ${page} has no value for the key ${JSON.stringify(cfg.key)}`, raw: rawOf(item) });
          } else if (seenKeys.has(key)) {
            keyed++;
            malformed.push({ source, lineage, code: 'DUPLICATE_KEY', message: `key "${key}" was already read earlier in this run (entry ${i + 1} of page ${page})`, raw: rawOf(item) });
          } else {
            keyed++;
            unseen++;
            seenKeys.add(key);
            records.push({ source, key, fields, lineage });
            for (const c in fields) {
              if (!known.has(c)) {
                known.add(c);
                fresh.push(c);
              }
            }
            // Only records that are kept move the watermark: a rejected newer copy must be read again.
            if (cfg.cursor_field) since = advanceWatermark(since, fields[cfg.cursor_field]);
          }
        }
        if (records.length >= batchSize || malformed.length >= batchSize) {
          yield batchOf(cursorAt(state, i + 1, false));
          records = [];
          malformed = [];
        }
      }
      skip = 0;
      // One page of repeats can be records shifted by changes during the read; two in a row is a loop.
      repeatPages = keyed > 0 && unseen === 0 ? repeatPages + 1 : 0;
      if (repeatPages >= 2) {
        throw new CrmEtlError(
          'SOURCE_SCHEMA',
          `source "${source}": pages up to ${page} of ${location} hold only records already read; the server seems to ignore the paging ` +
            `parameters: check pagination (style ${cfg.pagination.style}) against the API's documentation`,
        );
      }
      const step = nextPage(cfg.pagination, state, { entries: items.length, body: res.body, link: res.headers.get('link'), url: res.url, base: this.base });
      if ('problem' in step) throw new CrmEtlError('SOURCE_SCHEMA', `source "${source}": after page ${page} of ${location}: ${step.problem}`);
      if (!step.next) break;
      const id = JSON.stringify(step.next);
      if (visited.has(id)) {
        throw new CrmEtlError('SOURCE_SCHEMA', `source "${source}": after page ${page} of ${location} the server points back to a page already read; stopping rather than reading forever`);
      }
      visited.add(id);
      state = step.next;
    }
    yield batchOf(cursorAt(null, 0, true));
  }
}
