import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import type { Cursor, ReadOptions, SourceConnector } from '../../../src/connectors/connector.js';
import {
  advanceWatermark,
  backoffDelay,
  compareWatermarks,
  endpointOf,
  flattenRecord,
  parseLinkHeader,
  parseRetryAfter,
  planRead,
  redactUrl,
  TokenBucket,
} from '../../../src/connectors/http/index.js';
import { createConnector } from '../../../src/connectors/registry.js';
import { CrmEtlError } from '../../../src/core/errors.js';
import type { MalformedRow, RawRecord } from '../../../src/core/record.js';
import { describeConnectorConformance } from '../../support/connector-conformance.js';
import { startErpSimulator, type ErpSimulator } from '../../support/erp-simulator.js';

const MAPPING = { full_name: 'name', email: 'email', city: 'address.city' };

/** The `http` source config as a user would write it, parsed by the real loader. */
function httpConfig(url: string, options: Record<string, unknown> = {}, env: Record<string, string> = {}) {
  // Fast by default so the suite stays quick; tests about pacing set their own values.
  const source = { name: 'erp', kind: 'http', key: 'id', mapping: MAPPING, url, rate_limit: 1000, retry_base_ms: 5, ...options };
  const cfg = parseConfig(JSON.stringify({ sources: [source] }), { file: 'erp.json', env });
  const s = cfg.sources[0]!;
  if (s.kind !== 'http') throw new Error('expected an http source');
  return s;
}

function httpSource(url: string, options: Record<string, unknown> = {}, env: Record<string, string> = {}): SourceConnector {
  return createConnector(httpConfig(url, options, env));
}

async function readAll(c: SourceConnector, opts: ReadOptions = {}) {
  const records: RawRecord[] = [];
  const malformed: MalformedRow[] = [];
  let cursor: Cursor | undefined;
  for await (const b of c.read(opts)) {
    records.push(...b.records);
    malformed.push(...b.malformed);
    cursor = b.cursor;
  }
  return { records, malformed, cursor: cursor! };
}

async function failure(p: Promise<unknown>): Promise<CrmEtlError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CrmEtlError) return err;
    throw err;
  }
  throw new Error('expected a CrmEtlError');
}

/** The largest updated_at among the given customers, and who has it. */
function maxUpdated(sim: ErpSimulator, keys: readonly string[]): { id: string; at: string } {
  let best = { id: '', at: '' };
  for (const id of keys) if (sim.updatedAt(id) > best.at) best = { id, at: sim.updatedAt(id) };
  return best;
}

let sim: ErpSimulator;
beforeAll(async () => {
  sim = await startErpSimulator({ customers: 300 });
});
afterAll(() => sim.close());

const COLUMNS = ['id', 'name', 'email', 'address.city', 'address.geo.lat', 'tags', 'phones', 'updated_at'];

const STYLES: [string, string, Record<string, unknown>][] = [
  ['page', '/page/customers', { pagination: { style: 'page', page_size: 25 } }],
  ['offset', '/offset/customers', { records_path: 'result.items', pagination: { style: 'offset', page_size: 40 } }],
  ['cursor', '/cursor/customers', { pagination: { style: 'cursor', next_cursor_path: 'meta.next_cursor', page_size: 30 } }],
  ['link', '/link/customers', { pagination: { style: 'link', page_size: 50 } }],
];

for (const [style, path, options] of STYLES) {
  describeConnectorConformance(`http (${style} pagination)`, async () => ({
    connector: async () => httpSource(`${sim.url}${path}`, options),
    expectedKeys: sim.goodKeys,
    malformedCount: sim.brokenCount,
    sampleColumn: 'name',
    expectedColumns: COLUMNS,
  }));
}

describe('http source: records', () => {
  it('flattens nested objects to dotted columns, joins arrays of scalars, keeps arrays of objects as JSON', async () => {
    const { records } = await readAll(httpSource(`${sim.url}/page/customers`, { pagination: { style: 'page', page_size: 25 } }));
    const c10 = records.find((r) => r.key === 'C0010')!;
    expect(c10.fields).toMatchObject({
      id: 'C0010',
      name: "Chloé O'Brien", // served padded with spaces
      'address.city': 'Melbourne',
      'address.geo.lat': '-37.79',
      'address.geo.lng': '144.9',
      tags: '',
      phones: '[{"type":"mobile","number":"+61 400000010"}]',
      active: 'true',
      balance: '105',
    });
    const c12 = records.find((r) => r.key === 'C0012')!;
    expect(c12.fields['name']).toBe('张敏');
    expect(c12.fields['address.city']).toBe('上海');
    expect(c12.fields['tags']).toBe('vip; b2b');
    expect(records.find((r) => r.key === 'C0017')!.fields['email']).toBe(''); // null → empty
    // Lineage: the endpoint, the page and the position in the page.
    expect(c10.lineage).toEqual({ location: `${sim.url}/page/customers`, page: '1', line: 10 });
    expect(records.find((r) => r.key === 'C0030')!.lineage).toMatchObject({ page: '2', line: 6 }); // after the broken entry 18
  });

  it('reports a column that first appears past the page check() saw, with the batch that has it', async () => {
    const src = httpSource(`${sim.url}/page/customers`, { pagination: { style: 'page', page_size: 25 } });
    expect((await src.check()).columns).not.toContain('loyalty.tier');
    const seen: string[][] = [];
    for await (const b of src.read({ batchSize: 50 })) {
      if (b.columns) seen.push(b.columns);
      if (b.columns?.includes('loyalty.tier')) expect(b.records.some((r) => r.fields['loyalty.tier'])).toBe(true);
    }
    expect(seen[0]).toEqual(expect.arrayContaining(COLUMNS));
    expect(seen.slice(1)).toEqual([['loyalty.tier']]);
  });

  it('quarantines entries that are not records, or have no key, with their page and position, and reads on', async () => {
    const { records, malformed } = await readAll(httpSource(`${sim.url}/page/customers`, { pagination: { style: 'page', page_size: 25 } }), { batchSize: 1000 });
    expect(records).toHaveLength(300);
    expect(malformed.map((m) => [m.code, m.lineage.page, m.lineage.line])).toEqual([
      ['NOT_AN_OBJECT', '1', 18],
      ['NOT_AN_OBJECT', '3', 9],
      ['NOT_AN_OBJECT', '5', 2],
      ['NOT_AN_OBJECT', '7', 1],
      ['MISSING_KEY', '10', 9],
    ]);
    expect(malformed[0]).toMatchObject({ source: 'erp', raw: '"corrupt-row"', message: 'entry 18 of page 1 is a string, not a record object' });
    expect(malformed[3]!.message).toMatch(/is an array/);
    expect(malformed[4]!.message).toMatch(/no value for the key "id"/);
  });

  it('reads a cursor-style API whose token sits deep in the body, and the Link header style with relative links', async () => {
    for (const [, path, options] of STYLES.slice(2)) {
      const { records } = await readAll(httpSource(`${sim.url}${path}`, options));
      expect(records).toHaveLength(300);
    }
    const { records } = await readAll(httpSource(`${sim.url}/link/customers`, { pagination: { style: 'link', page_size: 100 } }));
    expect(records[150]!.lineage.page).toMatch(/^\/link\/customers\?per_page=100&after=/);
    expect(records[0]!.lineage.page).toBe('/link/customers?per_page=100');
  });

  it('says where the records are missing when records_path is wrong, and checks cursor_field', async () => {
    const err = await failure(httpSource(`${sim.url}/page/customers`, { records_path: 'items', pagination: { style: 'page' } }).check());
    expect(err.code).toBe('SOURCE_SCHEMA');
    expect(err.message).toMatch(/has no "items" \(top-level keys: data, page, per_page, total\); set records_path/);
    const noField = await failure(httpSource(`${sim.url}/page/customers`, { since_param: 'updated_since', cursor_field: 'modified_at', pagination: { style: 'page' } }).check());
    expect(noField.message).toMatch(/cursor_field "modified_at" is in none of the records/);
  });

  it('says a saved page token was refused when a resume fails on it', async () => {
    const url = `${sim.url}/cursor/customers`;
    const stale = { v: 1, endpoint: url, filter: null, since: null, page: { style: 'cursor', token: 'expired' }, pos: 3, done: false };
    const err = await failure(readAll(httpSource(url, STYLES[2]![2]), { cursor: stale }));
    expect(err.message).toMatch(/HTTP 400 Bad Request; the server said: \{"error":"unknown cursor"\}.*continues a stopped run from its saved page/);
  });

  it('stops, saying why, when the server ignores the paging parameters or repeats a cursor (no endless loop)', async () => {
    const before = sim.requests.length;
    const byCursor = await failure(readAll(httpSource(`${sim.url}/stuck/customers`, { pagination: { style: 'cursor' } })));
    expect(byCursor.message).toMatch(/points back to a page already read/);
    expect(sim.requests.length - before).toBe(2);
    const byPage = await failure(readAll(httpSource(`${sim.url}/stuck/customers`, { pagination: { style: 'page' } })));
    expect(byPage.message).toMatch(/hold only records already read; the server seems to ignore the paging parameters/);
    expect(sim.requests.length - before).toBe(5);
  });
});

describe('http source: retries', () => {
  let flaky: ErpSimulator;
  beforeAll(async () => {
    flaky = await startErpSimulator({ customers: 120, throttleFirst: '1', failEvery: 4, dropEvery: 7 });
  });
  afterAll(() => flaky.close());

  it('retries 429, 503 and dropped connections with backoff, honouring Retry-After, and loses nothing', async () => {
    const { records, malformed } = await readAll(httpSource(`${flaky.url}/page/customers`, { pagination: { style: 'page', page_size: 10 } }));
    expect(records.map((r) => r.key).sort()).toEqual([...flaky.goodKeys].sort());
    expect(malformed).toHaveLength(flaky.brokenCount);
    const log = flaky.requests;
    expect(log[0]!.status).toBe(429);
    // Retry-After: 1 was honoured, not the 5 ms backoff.
    expect(log[1]!.at - log[0]!.at).toBeGreaterThanOrEqual(990);
    expect(log.filter((r) => r.status === 503).length).toBeGreaterThan(2);
    expect(log.filter((r) => r.status === 0).length).toBeGreaterThan(1); // connections dropped
    // Each page was asked for until it came: every page number appears with a 200.
    const pages = new Set(log.filter((r) => r.status === 200).map((r) => r.query['page']));
    expect(pages.size).toBe(14); // 123 entries in pages of 10, then the empty page
  });

  it('honours Retry-After given as an HTTP date', async () => {
    flaky.configure({ throttleFirst: new Date(Date.now() + 2000).toUTCString() });
    const from = flaky.requests.length;
    await httpSource(`${flaky.url}/page/customers`, { pagination: { style: 'page' } }).check();
    const [first, second] = flaky.requests.slice(from);
    expect(first!.status).toBe(429);
    // An HTTP date has whole seconds: the wait is between 1 and 2 s.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900);
  });

  it('fails at once when Retry-After asks for longer than retry_max_ms', async () => {
    flaky.configure({ throttleFirst: '120' });
    const from = flaky.requests.length;
    const err = await failure(httpSource(`${flaky.url}/page/customers`, { retry_max_ms: 5000 }).check());
    expect(err.message).toMatch(/asks to wait 120 s before retrying, longer than retry_max_ms \(5000 ms\)/);
    expect(flaky.requests.length - from).toBe(1);
  });

  it('gives up after `retries` retries of a 5xx, with a message that says what to do', async () => {
    flaky.configure({});
    const from = flaky.requests.length;
    const err = await failure(httpSource(`${flaky.url}/status/503`, { retries: 2 }).check());
    expect(err.code).toBe('SOURCE_UNAVAILABLE');
    expect(err.retryable).toBe(true);
    expect(err.message).toBe(
      `source "erp": GET ${flaky.url}/status/503 failed 3 times (last: HTTP 503 Service Unavailable); ` +
        'the API is down, overloaded or unreachable: try again later, or raise retries or timeout_ms',
    );
    expect(flaky.requests.length - from).toBe(3);
  });

  it('does not retry other 4xx answers', async () => {
    const from = flaky.requests.length;
    const notFound = await failure(httpSource(`${flaky.url}/status/404`).check());
    expect(notFound.code).toBe('SOURCE_NOT_FOUND');
    expect(notFound.message).toMatch(/answered HTTP 404 Not Found; the server said: .*; check the source's url/);
    const bad = await failure(httpSource(`${flaky.url}/status/400`).check());
    expect(bad.code).toBe('CONFIG_INVALID');
    expect(bad.message).toMatch(/answered HTTP 400 Bad Request.*so it is not retried/);
    expect(flaky.requests.length - from).toBe(2);
  });

  it('retries a request that times out, then says so', async () => {
    const from = flaky.requests.length;
    const err = await failure(httpSource(`${flaky.url}/slow/customers`, { timeout_ms: 100, retries: 1 }).check());
    expect(err.message).toMatch(/failed 2 times \(last: no complete answer within 100 ms\)/);
    expect(flaky.requests.length - from).toBe(2);
  });

  it('retries a refused connection, then names the network error', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    const err = await failure(httpSource(`http://127.0.0.1:${port}/customers`, { retries: 1 }).check());
    expect(err.message).toMatch(/failed 2 times \(last: network error \(ECONNREFUSED\)\)/);
  });
});

describe('http source: rate limit', () => {
  let limited: ErpSimulator;
  beforeAll(async () => {
    // The server answers 429 beyond 25 requests in any second.
    limited = await startErpSimulator({ customers: 100, maxPerSecond: 25 });
  });
  afterAll(() => limited.close());

  it('spaces requests to rate_limit per second, so the server never has to refuse one', async () => {
    const from = limited.requests.length;
    const { records } = await readAll(httpSource(`${limited.url}/offset/customers`, { records_path: 'result.items', rate_limit: 20, pagination: { style: 'offset', page_size: 5 } }));
    expect(records).toHaveLength(100);
    const log = limited.requests.slice(from);
    expect(log).toHaveLength(22); // 102 entries in pages of 5, then the empty page
    expect(log.every((r) => r.status === 200)).toBe(true);
    // 22 requests at 20 a second, from a bucket holding one: at least 21 × 50 ms.
    expect(log.at(-1)!.at - log[0]!.at).toBeGreaterThanOrEqual(21 * 50 - 5);
  });

  it('without a low enough rate_limit, the 429 answers are waited out (Retry-After) and nothing is lost', async () => {
    const strict = await startErpSimulator({ customers: 100, maxPerSecond: 25 });
    try {
      const { records } = await readAll(httpSource(`${strict.url}/offset/customers`, { records_path: 'result.items', rate_limit: 1000, pagination: { style: 'offset', page_size: 3 } }));
      expect(records).toHaveLength(100);
      expect(strict.requests.some((r) => r.status === 429)).toBe(true);
    } finally {
      await strict.close();
    }
  });

  it('a token bucket lets N takes through in at least (N - capacity) / rate seconds', async () => {
    const bucket = new TokenBucket(50, 2);
    const t0 = performance.now();
    for (let i = 0; i < 12; i++) await bucket.take();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(10 * 20 - 2);
  });
});

describe('http source: auth', () => {
  const TOKEN = 's3cr3t-token-0042';
  let bearer: ErpSimulator;
  let basic: ErpSimulator;
  beforeAll(async () => {
    bearer = await startErpSimulator({ customers: 20, auth: { type: 'bearer', token: TOKEN } });
    basic = await startErpSimulator({ customers: 20, auth: { type: 'basic', username: 'etl', password: 'pa55-w0rd!' } });
  });
  afterAll(async () => {
    await bearer.close();
    await basic.close();
  });

  it('sends a bearer token from the environment', async () => {
    const c = httpSource(`${bearer.url}/page/customers`, { auth: { type: 'bearer', token: '${ERP_TOKEN}' }, pagination: { style: 'page' } }, { ERP_TOKEN: TOKEN });
    expect((await readAll(c)).records).toHaveLength(20);
  });

  it('says the credentials were refused, without repeating them (even when the server echoes them), and does not retry', async () => {
    const from = bearer.requests.length;
    const c = httpSource(`${bearer.url}/page/customers?api_key=query-secret-77`, { auth: { type: 'bearer', token: '${ERP_TOKEN}' } }, { ERP_TOKEN: 'wrong-token-9876' });
    const err = await failure(c.check());
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toBe(
      `source "erp": the server refused the credentials (HTTP 401 Unauthorized) for GET ${bearer.url}/page/customers?api_key=***; ` +
        "check the source's auth (and the environment variable its token or password comes from) and that the account may read this endpoint",
    );
    expect(err.message).not.toMatch(/wrong-token|query-secret/);
    expect(bearer.requests.length - from).toBe(1);
  });

  it('sends basic credentials, and keeps a refused password out of the message', async () => {
    const ok = httpSource(`${basic.url}/cursor/customers`, { auth: { type: 'basic', username: 'etl', password: '${ERP_PASSWORD}' }, pagination: { style: 'cursor', next_cursor_path: 'meta.next_cursor' } }, { ERP_PASSWORD: 'pa55-w0rd!' });
    expect((await readAll(ok)).records).toHaveLength(20);
    const wrong = httpSource(`${basic.url}/cursor/customers`, { auth: { type: 'basic', username: 'etl', password: 'guess-123' } });
    const err = await failure(wrong.check());
    expect(err.message).toMatch(/refused the credentials \(HTTP 401/);
    expect(err.message).not.toContain('guess-123');
    expect(err.message).not.toContain(Buffer.from('etl:guess-123').toString('base64'));
  });

  it('masks query secrets in lineage', async () => {
    const { records } = await readAll(httpSource(`${sim.url}/page/customers?api_key=query-secret-77&region=eu`, { pagination: { style: 'page' } }));
    expect(records[0]!.lineage.location).toBe(`${sim.url}/page/customers?api_key=***&region=eu`);
  });
});

describe('http source: incremental reads', () => {
  let erp: ErpSimulator;
  beforeAll(async () => {
    erp = await startErpSimulator({ customers: 200 });
  });
  afterAll(() => erp.close());
  const incremental = { since_param: 'updated_since', cursor_field: 'updated_at', pagination: { style: 'page', page_size: 10 } };

  it('a run after a complete run asks only for what changed since the largest updated_at it saw', async () => {
    const url = `${erp.url}/page/customers`;
    const full = await readAll(httpSource(url, incremental));
    expect(full.records).toHaveLength(200);
    const before = maxUpdated(erp, erp.goodKeys);
    expect(full.cursor).toMatchObject({ done: true, since: before.at, filter: null });

    erp.touch(['C0003', 'C0150', 'C0199'], '2025-03-01T08:00:00.000Z');
    const from = erp.requests.length;
    const next = await readAll(httpSource(url, incremental), { cursor: full.cursor });
    // The boundary record comes again (servers compare inclusively): harmless, never a loss.
    expect(next.records.map((r) => r.key).sort()).toEqual(['C0003', 'C0150', 'C0199', before.id].sort());
    expect(next.malformed).toEqual([]);
    expect(erp.requests.slice(from).every((r) => r.query['updated_since'] === before.at)).toBe(true);
    expect(next.cursor).toMatchObject({ done: true, since: '2025-03-01T08:00:00.000Z', filter: before.at });
  });

  it('an incremental run that stopped part-way continues with the same filter, losing and repeating nothing', async () => {
    const url = `${erp.url}/page/customers`;
    const start = (await readAll(httpSource(url, incremental))).cursor as { since: string };
    const boundary = erp.goodKeys.filter((k) => erp.updatedAt(k) >= start.since); // the three touched above
    const changed = erp.goodKeys.slice(20, 60);
    changed.forEach((id, i) => erp.touch([id], `2025-04-01T00:${String(i).padStart(2, '0')}:00.000Z`));

    const first: RawRecord[] = [];
    let cursor: Cursor | undefined;
    for await (const b of httpSource(url, incremental).read({ cursor: start, batchSize: 7 })) {
      first.push(...b.records);
      cursor = b.cursor;
      if (first.length >= 14) break;
    }
    expect(cursor).toMatchObject({ done: false, filter: start.since });
    const from = erp.requests.length;
    const rest = await readAll(httpSource(url, incremental), { cursor: cursor!, batchSize: 7 });
    const keys = [...first, ...rest.records].map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.sort()).toEqual([...new Set([...changed, ...boundary])].sort());
    expect(erp.requests.slice(from).every((r) => r.query['updated_since'] === start.since)).toBe(true);
    expect(rest.cursor).toMatchObject({ done: true, since: '2025-04-01T00:39:00.000Z', filter: start.since });
  });

  it('reads from a time (--since): the server is asked for the changes since then, the watermark goes on', async () => {
    const url = `${erp.url}/page/customers`;
    erp.touch(['C0020'], '2025-06-01T00:00:00.000Z');
    const done = (await readAll(httpSource(url, incremental))).cursor as { since: string };
    expect(done.since).toBe('2025-06-01T00:00:00.000Z');
    // A change committed late, stamped before the watermark: an incremental read misses it.
    erp.touch(['C0010'], '2025-05-01T00:00:00.000Z');
    expect((await readAll(httpSource(url, incremental), { cursor: done })).records.map((r) => r.key)).toEqual(['C0020']);
    const from = erp.requests.length;
    const since = new Date('2025-04-01T00:30:00Z');
    const read = await readAll(httpSource(url, incremental), { cursor: done, since });
    expect(erp.requests.slice(from).every((r) => r.query['updated_since'] === '2025-04-01T00:30:00.000Z')).toBe(true);
    expect(read.records.map((r) => r.key)).toContain('C0010');
    expect(read.records.map((r) => r.key).sort()).toEqual(erp.goodKeys.filter((k) => erp.updatedAt(k) >= '2025-04-01T00:30:00.000Z').sort());
    expect(read.cursor).toMatchObject({ done: true, since: '2025-06-01T00:00:00.000Z' });
    // A time after the stored watermark would skip what lies between: the watermark is used.
    const cfg = httpConfig(url, { since_param: 'updated_since', cursor_field: 'updated_at', pagination: { style: 'page' } });
    expect(planRead(cfg, read.cursor, new Date('2026-01-01T00:00:00Z')).filter).toBe('2025-06-01T00:00:00.000Z');
    // Epoch-second watermarks are answered in kind; a full read that stopped part-way goes on.
    const epoch = { v: 1, endpoint: endpointOf(cfg), filter: null, since: '1767225600', page: null, pos: 0, done: true };
    expect(planRead(cfg, epoch, new Date('2025-12-01T00:00:00Z')).filter).toBe('1764547200');
    const stopped = { ...epoch, page: { style: 'page' as const, page: 3 }, pos: 2, done: false };
    expect(planRead(cfg, stopped, new Date('2025-12-01T00:00:00Z'))).toMatchObject({ filter: null, page: { page: 3 }, skip: 2 });
    const err = await failure(readAll(httpSource(url, { pagination: { style: 'page' } }), { since }));
    expect(err.message).toMatch(/no since_param.*--full/);
  });

  it('without since_param every run reads everything', async () => {
    const opts = { pagination: { style: 'page', page_size: 50 }, cursor_field: 'updated_at' };
    const full = await readAll(httpSource(`${erp.url}/page/customers`, opts));
    const again = await readAll(httpSource(`${erp.url}/page/customers`, opts), { cursor: full.cursor });
    expect(again.records).toHaveLength(200);
  });
});

describe('http source: configuration and helpers', () => {
  it('applies the documented defaults', () => {
    const cfg = httpConfig('https://erp.example.com/api/customers', { rate_limit: undefined, retry_base_ms: undefined });
    expect(cfg).toMatchObject({
      pagination: { style: 'link', size_param: 'per_page' },
      headers: {},
      rate_limit: 10,
      rate_burst: 1,
      retries: 5,
      retry_base_ms: 500,
      retry_max_ms: 30_000,
      timeout_ms: 30_000,
    });
    expect(cfg.records_path).toBeUndefined();
    expect(httpConfig('https://x.test/', { pagination: { style: 'page' } }).pagination).toEqual({ style: 'page', page_param: 'page', size_param: 'per_page', page_size: 100, start_page: 1 });
    expect(httpConfig('https://x.test/', { pagination: { style: 'offset' } }).pagination).toEqual({ style: 'offset', offset_param: 'offset', size_param: 'limit', page_size: 100 });
    expect(httpConfig('https://x.test/', { pagination: { style: 'cursor' } }).pagination).toEqual({ style: 'cursor', cursor_param: 'cursor', next_cursor_path: 'next_cursor', size_param: 'limit', page_size: 100 });
  });

  it('names the path and the problem of a bad option', () => {
    expect(() => httpConfig('https://etl:pw@erp.example.com/api')).toThrow(/sources\[0\]\.url: the URL holds credentials; remove them and use auth/);
    expect(() => httpConfig('ftp://erp.example.com/')).toThrow(/url: the URL must start with http:\/\/ or https:\/\//);
    expect(() => httpConfig('https://x.test/', { pagination: { style: 'page', offset_param: 'o' } })).toThrow(/sources\[0\]\.pagination: Unrecognized key: "offset_param"/);
    expect(() => httpConfig('https://x.test/', { since_param: 'updated_since' })).toThrow(/cursor_field: since_param "updated_since" needs cursor_field/);
    expect(() => httpConfig('https://x.test/', { auth: { type: 'bearer', token: '${ERP_TOKEN:-}' } })).toThrow(/auth\.token: the bearer token is empty/);
  });

  it('parses Link headers and Retry-After, and keeps backoff within its bounds', () => {
    expect(parseLinkHeader('<https://a.test/x?page=1>; rel="first", </x?page=3>; rel="next last", <x>;rel=prev')).toEqual([
      { url: 'https://a.test/x?page=1', rel: ['first'] },
      { url: '/x?page=3', rel: ['next', 'last'] },
      { url: 'x', rel: ['prev'] },
    ]);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(backoffDelay(0, 500, 30_000, () => 0.999)).toBe(499);
    expect(backoffDelay(3, 500, 30_000, () => 0.5)).toBe(2000);
    expect(backoffDelay(10, 500, 30_000, () => 0.999)).toBe(29_970);
    expect(backoffDelay(4, 500, 30_000, () => 0)).toBe(0);
  });

  it('flattens JSON records', () => {
    expect(flattenRecord({ a: ' x ', n: 1.5, b: false, z: null, o: { p: { q: 'deep' } }, e: {}, s: ['a', null, 2], j: [{ k: 1 }], m: [[1]] })).toEqual({
      a: 'x',
      n: '1.5',
      b: 'false',
      z: '',
      'o.p.q': 'deep',
      e: '',
      s: 'a; 2',
      j: '[{"k":1}]',
      m: '[[1]]',
    });
  });

  it('masks secrets in URLs', () => {
    expect(redactUrl('https://erp.test/api?access_token=abc&page=2&Signature=zz&api_key=k')).toBe('https://erp.test/api?access_token=***&page=2&Signature=***&api_key=***');
  });

  it('orders watermarks as instants, numbers or text, and plans reads from cursors', () => {
    expect(compareWatermarks('2024-01-01T10:00:00+08:00', '2024-01-01T03:00:00Z')).toBe(-1);
    expect(compareWatermarks('900', '1000')).toBe(-1);
    expect(advanceWatermark(null, '2024-01-01')).toBe('2024-01-01');
    expect(advanceWatermark('2024-02-01', '2024-01-01')).toBe('2024-02-01');
    expect(advanceWatermark('2024-02-01', '')).toBe('2024-02-01');

    const cfg = httpConfig('https://erp.test/api?x=1', { since_param: 'updated_since', cursor_field: 'updated_at', pagination: { style: 'page' } });
    const endpoint = 'https://erp.test/api?x=1';
    const base = { v: 1, endpoint, filter: null, since: '2024-05-01T00:00:00Z' };
    expect(planRead(cfg, undefined)).toEqual({ filter: null, since: null, page: { style: 'page', page: 1 }, skip: 0 });
    expect(planRead(cfg, { ...base, page: null, pos: 0, done: true })).toEqual({ filter: '2024-05-01T00:00:00Z', since: '2024-05-01T00:00:00Z', page: { style: 'page', page: 1 }, skip: 0 });
    expect(planRead(cfg, { ...base, page: { style: 'page', page: 4 }, pos: 3, done: false })).toEqual({ filter: null, since: '2024-05-01T00:00:00Z', page: { style: 'page', page: 4 }, skip: 3 });
    // Pagination changed since the stop: the run restarts from the first page (with its filter).
    expect(planRead(cfg, { ...base, filter: 'F', page: { style: 'offset', offset: 40 }, pos: 3, done: false })).toMatchObject({ filter: 'F', page: { style: 'page', page: 1 }, skip: 0 });
    // Another endpoint, or a cursor from another kind: a full read.
    expect(planRead(cfg, { ...base, endpoint: 'https://other.test/', page: null, pos: 0, done: true }).filter).toBeNull();
    expect(planRead(cfg, { rows: 10, size: 5 }).filter).toBeNull();
  });
});
