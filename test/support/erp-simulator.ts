import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small ERP REST API for the `http` connector's tests: a real node:http server on 127.0.0.1
 * with a random port. It serves the same customers in the four paging styles:
 *
 * - `GET /page/customers?page=N&per_page=S`        → `{ data: [...], page, per_page, total }`
 * - `GET /offset/customers?offset=O&limit=S`       → `{ result: { items: [...], offset, total } }`
 * - `GET /cursor/customers?cursor=T&limit=S`       → `{ data: [...], meta: { next_cursor } }`
 * - `GET /link/customers?after=T&per_page=S`       → `[...]` with `Link: <…>; rel="next"`
 *
 * Each takes `updated_since` (ISO time; customers updated at or after it, inclusive as most
 * APIs are). Also: `/stuck/customers` (ignores every paging parameter and always names the
 * same next cursor), `/status/NNN` (always answers NNN), `/slow/customers` (answers after
 * `slowMs`). Pages are capped at `maxPageSize` whatever is asked, as real APIs do.
 */
export interface ErpSimulatorOptions {
  /** Good customers served. Default 300. */
  customers?: number;
  /** Credentials every request must carry; none: open. A wrong one gets 401 echoing it back. */
  auth?: { type: 'bearer'; token: string } | { type: 'basic'; username: string; password: string };
  /** Every Nth request (counting all requests) answers 503. Default 0 (never). */
  failEvery?: number;
  /** Every Nth request has its connection dropped without an answer. Default 0 (never). */
  dropEvery?: number;
  /** The first request (after start or `configure`) answers 429 with this Retry-After value (e.g. `1`). */
  throttleFirst?: string;
  /** Server-side limit: beyond this many answered requests in the last second, 429 + Retry-After: 1. */
  maxPerSecond?: number;
  /** Largest page served whatever is asked. Default 1000. */
  maxPageSize?: number;
  /** Delay of `/slow/customers`, in ms. Default 2000. */
  slowMs?: number;
}

export interface RequestLogEntry {
  /** performance.now() when the request arrived. */
  at: number;
  path: string;
  query: Record<string, string>;
  status: number;
}

export interface ErpSimulator {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** Keys of the good customers (in a full read). */
  readonly goodKeys: readonly string[];
  /** Broken entries in a full read: 4 that are not objects, 1 object without an id. */
  readonly brokenCount: number;
  /** Every request, in arrival order. */
  readonly requests: RequestLogEntry[];
  /** The current `updated_at` of a customer. */
  updatedAt(id: string): string;
  /** Changes customers' `updated_at` (as an edit in the ERP would). */
  touch(ids: readonly string[], at: string): void;
  /** Swaps the failure injection options (the request counter keeps going). */
  configure(opts: Pick<ErpSimulatorOptions, 'failEvery' | 'dropEvery' | 'throttleFirst' | 'maxPerSecond'>): void;
  close(): Promise<void>;
}

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '周', '吴'];
const GIVEN = ['伟', '芳', '娜', '秀英', '敏', '静', '丽', '强', '磊', '洋'];
const LATIN_GIVEN = ['Olivia', 'Liam', 'Chloé', 'Noah', 'Zoë', 'Mateo', 'Aroha', 'Jack'];
const LATIN_FAMILY = ['Smith', "O'Brien", 'Nguyen', 'García', 'Müller', 'Te Rangi', 'Kowalski'];
const CITIES = [
  { city: '上海', country: 'CN', postcode: '200000' },
  { city: '北京', country: 'CN', postcode: '100000' },
  { city: 'Melbourne', country: 'AU', postcode: '3000' },
  { city: 'Auckland', country: 'NZ', postcode: '1010' },
];
const BASE_TIME = Date.UTC(2024, 0, 1);

type Customer = Record<string, unknown> & { id: string; updated_at: string };

function makeCustomers(n: number): Customer[] {
  const out: Customer[] = [];
  for (let i = 1; i <= n; i++) {
    const chinese = i % 3 === 0;
    const name = chinese
      ? `${SURNAMES[i % SURNAMES.length]}${GIVEN[(i * 7) % GIVEN.length]}`
      : `${LATIN_GIVEN[i % LATIN_GIVEN.length]} ${LATIN_FAMILY[(i * 5) % LATIN_FAMILY.length]}`;
    const place = CITIES[i % CITIES.length]!;
    out.push({
      id: `C${String(i).padStart(4, '0')}`,
      // Some names arrive padded: the connector trims.
      name: i % 10 === 0 ? `  ${name} ` : name,
      email: i % 17 === 0 ? null : `customer${i}@mail.test`,
      address: {
        street: `${i} Example Road`,
        city: place.city,
        postcode: place.postcode,
        country: place.country,
        geo: { lat: -37.8 + i / 1000, lng: 144.9 },
      },
      tags: i % 4 === 0 ? ['vip', 'b2b'] : [],
      phones: i % 5 === 0 ? [{ type: 'mobile', number: `+61 4${String(i).padStart(8, '0')}` }] : [],
      active: i % 7 !== 0,
      balance: i * 10.5,
      // Distinct times (7919 is coprime with 1000), in no relation to the id order.
      updated_at: new Date(BASE_TIME + ((i * 7919) % 1000) * 60_000).toISOString(),
      // A field the API added lately: only the last customers have it, past the first page.
      ...(i > n - 40 ? { loyalty: { tier: i % 2 ? 'gold' : 'silver' } } : {}),
    });
  }
  return out;
}

/** Where the broken entries sit among the customers, and what they are. */
const BROKEN: [number, unknown][] = [
  [17, 'corrupt-row'],
  [58, null],
  [101, 42],
  [150, ['not', 'a', 'record']],
  [233, { name: 'Nobody Without Id', updated_at: '2023-06-01T00:00:00.000Z' }],
];

const encodeToken = (offset: number): string => Buffer.from(`o:${offset}`).toString('base64url');
function decodeToken(token: string | null): number {
  if (!token) return 0;
  const m = /^o:(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
  return m ? Number(m[1]) : -1;
}

/** Starts the simulator; `close()` it in afterAll. */
export async function startErpSimulator(options: ErpSimulatorOptions = {}): Promise<ErpSimulator> {
  const customers = makeCustomers(options.customers ?? 300);
  const entries: unknown[] = [...customers];
  for (const [at, broken] of BROKEN) if (at <= customers.length) entries.splice(at, 0, broken);
  const maxPageSize = options.maxPageSize ?? 1000;
  let inject: Pick<ErpSimulatorOptions, 'failEvery' | 'dropEvery' | 'throttleFirst' | 'maxPerSecond'> = { ...options };
  let throttlePending = options.throttleFirst !== undefined;
  const requests: RequestLogEntry[] = [];
  const answered: number[] = [];
  let count = 0;

  const select = (since: string | null): unknown[] => {
    if (!since) return entries;
    const t = Date.parse(since);
    if (!Number.isFinite(t)) return [];
    return entries.filter((e) => e !== null && typeof e === 'object' && !Array.isArray(e) && Date.parse(String((e as { updated_at?: unknown }).updated_at)) >= t);
  };

  const send = (res: ServerResponse, entry: RequestLogEntry, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    entry.status = status;
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };

  const authorized = (req: IncomingMessage): { ok: true } | { ok: false; presented: string } => {
    const a = options.auth;
    if (!a) return { ok: true };
    const header = req.headers.authorization ?? '';
    const want =
      a.type === 'bearer' ? `Bearer ${a.token}` : `Basic ${Buffer.from(`${a.username}:${a.password}`).toString('base64')}`;
    return header === want ? { ok: true } : { ok: false, presented: header };
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    count++;
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const entry: RequestLogEntry = { at: performance.now(), path: u.pathname, query: Object.fromEntries(u.searchParams), status: 0 };
    requests.push(entry);
    const q = u.searchParams;

    if (inject.dropEvery && count % inject.dropEvery === 0) {
      req.socket.destroy();
      return;
    }
    if (throttlePending && inject.throttleFirst !== undefined) {
      throttlePending = false;
      return send(res, entry, 429, { error: 'slow down' }, { 'retry-after': inject.throttleFirst });
    }
    if (inject.failEvery && count % inject.failEvery === 0) return send(res, entry, 503, { error: 'maintenance' });
    if (inject.maxPerSecond) {
      const now = performance.now();
      while (answered.length && answered[0]! <= now - 1000) answered.shift();
      if (answered.length >= inject.maxPerSecond) return send(res, entry, 429, { error: 'rate limited' }, { 'retry-after': '1' });
      answered.push(now);
    }
    const auth = authorized(req);
    // Echoes what it was given, as careless servers do: the connector must not repeat it.
    if (!auth.ok) return send(res, entry, 401, { error: `invalid credentials: ${auth.presented}` }, { 'www-authenticate': 'Bearer' });

    const status = /^\/status\/(\d{3})$/.exec(u.pathname);
    if (status) return send(res, entry, Number(status[1]), { error: `status ${status[1]} for ${u.search}` });

    const size = (name: string, def: number): number => Math.min(maxPageSize, Math.max(1, Number(q.get(name) ?? def) || def));
    const list = select(q.get('updated_since'));
    switch (u.pathname) {
      case '/page/customers': {
        const page = Number(q.get('page') ?? 1);
        const per = size('per_page', 30);
        if (!Number.isInteger(page) || page < 1) return send(res, entry, 400, { error: 'page must be 1 or more' });
        return send(res, entry, 200, { data: list.slice((page - 1) * per, page * per), page, per_page: per, total: list.length });
      }
      case '/offset/customers': {
        const offset = Number(q.get('offset') ?? 0);
        const limit = size('limit', 30);
        return send(res, entry, 200, { result: { items: list.slice(offset, offset + limit), offset, total: list.length } });
      }
      case '/cursor/customers': {
        const at = decodeToken(q.get('cursor'));
        if (at < 0) return send(res, entry, 400, { error: 'unknown cursor' });
        const limit = size('limit', 30);
        const end = at + limit;
        return send(res, entry, 200, { data: list.slice(at, end), meta: { next_cursor: end < list.length ? encodeToken(end) : null } });
      }
      case '/link/customers': {
        const at = decodeToken(q.get('after'));
        if (at < 0) return send(res, entry, 400, { error: 'unknown page' });
        const per = size('per_page', 30);
        const end = at + per;
        const headers: Record<string, string> = {};
        if (end < list.length) {
          const next = new URLSearchParams(q);
          next.set('after', encodeToken(end));
          next.set('per_page', String(per));
          // Relative, as many servers write it, after a `first` entry, to exercise the parsing.
          headers['link'] = `</link/customers?per_page=${per}>; rel="first", </link/customers?${next.toString()}>; rel="next"`;
        }
        return send(res, entry, 200, list.slice(at, end), headers);
      }
      case '/stuck/customers':
        return send(res, entry, 200, { data: entries.slice(0, 10), next_cursor: 'same' });
      case '/slow/customers': {
        const timer = setTimeout(() => send(res, entry, 200, { data: [] }), options.slowMs ?? 2000);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      default:
        return send(res, entry, 404, { error: `no route ${u.pathname}` });
    }
  };

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const byId = new Map(customers.map((c) => [c.id, c]));

  return {
    url: `http://127.0.0.1:${port}`,
    goodKeys: customers.map((c) => c.id),
    brokenCount: BROKEN.filter(([at]) => at <= customers.length).length,
    requests,
    updatedAt: (id) => byId.get(id)?.updated_at ?? '',
    touch(ids, at) {
      for (const id of ids) {
        const c = byId.get(id);
        if (!c) throw new Error(`no customer ${id}`);
        c.updated_at = at;
      }
    },
    configure(opts) {
      inject = { ...opts };
      throttlePending = opts.throttleFirst !== undefined;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
