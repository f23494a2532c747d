import { z } from 'zod';
import { baseSource } from '../source-base.js';

const param = z.string().min(1);
const pageSize = z.number().int().positive().max(100_000);

/**
 * `page` style: `?page=N&per_page=S`, N counting from `start_page`. The read ends at the first
 * page with no records (one request more than the data needs, but never stops early when the
 * server caps the page size below `page_size`).
 */
const pagePagination = z.strictObject({
  style: z.literal('page'),
  /** Query parameter carrying the page number. Default `page`. */
  page_param: param.default('page'),
  /** Query parameter carrying the page size. Default `per_page`. */
  size_param: param.default('per_page'),
  /** Records asked for per page. Default 100. */
  page_size: pageSize.default(100),
  /** Number of the first page. Default 1 (some APIs count from 0). */
  start_page: z.number().int().min(0).default(1),
});

/**
 * `offset` style: `?offset=O&limit=S`. The next offset is the previous one plus the number of
 * entries the page actually held, so a server that caps the page size is still read whole.
 * The read ends at the first page with no records.
 */
const offsetPagination = z.strictObject({
  style: z.literal('offset'),
  /** Query parameter carrying the offset (0-based). Default `offset`. */
  offset_param: param.default('offset'),
  /** Query parameter carrying the page size. Default `limit`. */
  size_param: param.default('limit'),
  /** Records asked for per page. Default 100. */
  page_size: pageSize.default(100),
});

/**
 * `cursor` style: the body names the next page's token (at `next_cursor_path`), sent back as
 * `?cursor=TOKEN`. The first request has no token; the read ends when the body has no token
 * (missing, null or empty).
 */
const cursorPagination = z.strictObject({
  style: z.literal('cursor'),
  /** Query parameter carrying the token. Default `cursor`. */
  cursor_param: param.default('cursor'),
  /** Dotted path of the next token in the body, e.g. `meta.next_cursor`. Default `next_cursor`. */
  next_cursor_path: param.default('next_cursor'),
  /** Query parameter carrying the page size. Default `limit`. */
  size_param: param.default('limit'),
  /** Records asked for per page. Default 100. */
  page_size: pageSize.default(100),
});

/**
 * `link` style (RFC 8288, as GitHub and many others do it): the `Link` response header's
 * `rel="next"` URL is the next page; the read ends when there is none. With no `pagination`
 * option this is the style used, so an API that does not paginate is read with one request.
 */
const linkPagination = z.strictObject({
  style: z.literal('link'),
  /** Query parameter carrying the page size on the first request. Default `per_page`. */
  size_param: param.default('per_page'),
  /** Records asked for on the first request; absent (the default): the server's own size. */
  page_size: pageSize.optional(),
});

/** How the API splits its answer into pages. Default `{ style: link }`. */
export const httpPaginationSchema = z
  .discriminatedUnion('style', [pagePagination, offsetPagination, cursorPagination, linkPagination])
  .prefault({ style: 'link' });

/** Credentials; write them as `${ERP_TOKEN}` so they live in the environment, not the file. */
export const httpAuthSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('bearer'),
    /** Sent as `Authorization: Bearer TOKEN`. */
    token: z.string().min(1, 'the bearer token is empty; set the environment variable it comes from'),
  }),
  z.strictObject({
    type: z.literal('basic'),
    username: z.string().min(1, 'the username is empty; set the environment variable it comes from'),
    password: z.string(),
  }),
]);

const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'not a valid HTTP header name');

/** Options of an `http` source: a JSON REST API read page by page with GET requests. */
export const httpSourceSchema = z
  .object({
    ...baseSource,
    kind: z.literal('http'),
    /**
     * The endpoint listing the records, `http://` or `https://`. It may carry fixed query
     * parameters; credentials belong in `auth`, not in the URL. Query values whose names look
     * secret (`api_key`, `token`, `signature`, …) are masked in lineage and messages.
     */
    url: z
      .string()
      .min(1)
      .superRefine((value, ctx) => {
        let u: URL;
        try {
          u = new URL(value);
        } catch {
          ctx.addIssue({ code: 'custom', message: `"${value}" is not an absolute URL (e.g. https://erp.example.com/api/customers)` });
          return;
        }
        if (u.protocol !== 'http:' && u.protocol !== 'https:') {
          ctx.addIssue({ code: 'custom', message: `the URL must start with http:// or https://, not ${u.protocol}//` });
        }
        if (u.username || u.password) {
          ctx.addIssue({ code: 'custom', message: 'the URL holds credentials; remove them and use auth: {type: basic, username, password}' });
        }
      }),
    /**
     * Dotted path of the records array in each response body, e.g. `result.items`. Default:
     * the body itself when it is an array, otherwise `data`.
     */
    records_path: z.string().min(1).optional(),
    pagination: httpPaginationSchema,
    /** Credentials. Default: none. */
    auth: httpAuthSchema.optional(),
    /** Extra request headers, e.g. `{X-Tenant: acme}`. Default: none. Never logged. */
    headers: z.record(headerName, z.string()).default({}),
    /** Most requests per second (a token bucket shared by every request of the source). Default 10. */
    rate_limit: z.number().positive().default(10),
    /** Requests that may go out back to back before `rate_limit` spaces them. Default 1. */
    rate_burst: z.number().int().min(1).default(1),
    /** Retries of a request after a 429, a 5xx (but 501/505), a network error or a timeout. Default 5. */
    retries: z.number().int().min(0).max(20).default(5),
    /**
     * First backoff step in ms: retry n waits a random time in [0, min(retry_max_ms,
     * retry_base_ms × 2^n)] ("full jitter"); after a Retry-After (429/503), that long plus a
     * random time in [0, retry_base_ms]. Default 500.
     */
    retry_base_ms: z.number().int().min(1).default(500),
    /**
     * Longest wait before a retry, in ms. A Retry-After asking for more fails the read at once,
     * saying so, rather than hanging (an exhausted daily quota, say). Default 30000.
     */
    retry_max_ms: z.number().int().min(1).default(30_000),
    /** Time allowed for one request, headers and body, in ms; then it is retried. Default 30000. */
    timeout_ms: z.number().int().positive().default(30_000),
    /**
     * Query parameter for incremental reads, e.g. `updated_since`: a run after a complete run
     * sends the largest `cursor_field` value that run saw. Default: none (every run reads all).
     */
    since_param: z.string().min(1).optional(),
    /**
     * Record field (flattened name, e.g. `updated_at` or `meta.modified`) holding the record's
     * last-update time; its largest value is the watermark kept in the cursor. Default: none.
     */
    cursor_field: z.string().min(1).optional(),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.since_param && !cfg.cursor_field) {
      ctx.addIssue({
        code: 'custom',
        path: ['cursor_field'],
        message: `since_param "${cfg.since_param}" needs cursor_field: the record field holding the update time (e.g. updated_at)`,
      });
    }
  });
export type HttpSourceConfig = z.infer<typeof httpSourceSchema>;
export type HttpPagination = HttpSourceConfig['pagination'];
export type HttpAuth = NonNullable<HttpSourceConfig['auth']>;
