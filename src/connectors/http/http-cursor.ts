import { z } from 'zod';
import type { HttpSourceConfig } from '../../config/sources/http.js';
import type { Cursor } from '../connector.js';
import { firstPage, pageStateSchema, type PageState } from './pagination.js';
import { redactUrl } from './redact.js';

/**
 * The cursor an `http` source yields with every batch (JSON, kept by the store between runs).
 *
 * - `done: false` (a run that stopped part-way): the next read continues that run, with the
 *   same `filter`, from `page`, skipping the `pos` entries of it already delivered.
 * - `done: true` (a complete run): the next read is a new incremental run sending
 *   `since_param=<since>`, from the first page; with no `since_param`, a new full read.
 * - `since` only ever grows: the largest `cursor_field` value seen, carried across runs.
 */
export const httpCursorSchema = z.object({
  v: z.literal(1),
  /** The endpoint (secrets masked) the cursor belongs to: another url starts afresh. */
  endpoint: z.string(),
  /** The `since` value this run sends; null for a full read. */
  filter: z.string().nullable(),
  /** Watermark: the largest `cursor_field` value seen so far. */
  since: z.string().nullable(),
  /** The page being read; null once done. */
  page: pageStateSchema.nullable(),
  /** Entries (records and malformed ones) of `page` already delivered. */
  pos: z.number().int().min(0),
  done: z.boolean(),
});
export type HttpCursor = z.infer<typeof httpCursorSchema>;

/** How a read starts, decided from the configuration and the cursor it was given. */
export interface ReadPlan {
  filter: string | null;
  since: string | null;
  page: PageState;
  /** Entries of the first page fetched to skip (already delivered before a stop). */
  skip: number;
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * Orders two update times: as numbers when both are numeric (epoch seconds), as instants when
 * both parse as dates (ISO 8601 with any offset), else as text.
 */
export function compareWatermarks(a: string, b: string): number {
  if (NUMBER.test(a) && NUMBER.test(b)) return Math.sign(Number(a) - Number(b));
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (Number.isFinite(ta) && Number.isFinite(tb) && ta !== tb) return Math.sign(ta - tb);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The watermark after one record: a pure function of (state, record). */
export function advanceWatermark(since: string | null, value: string | undefined): string | null {
  if (!value) return since;
  return since === null || compareWatermarks(value, since) > 0 ? value : since;
}

/** The endpoint identity kept in cursors. */
export function endpointOf(cfg: Pick<HttpSourceConfig, 'url' | 'records_path'>): string {
  return `${redactUrl(cfg.url)}${cfg.records_path ? `#${cfg.records_path}` : ''}`;
}

/**
 * Where a read starts. No cursor, or one that is unreadable or for another endpoint: a full
 * read. A stopped run: continue it (from its first page when the pagination style changed, so
 * nothing is lost). A complete run: a new incremental run from its watermark.
 */
export function planRead(cfg: Pick<HttpSourceConfig, 'url' | 'records_path' | 'pagination' | 'since_param'>, cursor: Cursor | undefined, from?: Date): ReadPlan {
  const first = firstPage(cfg.pagination);
  const parsed = httpCursorSchema.safeParse(cursor);
  if (from !== undefined && cfg.since_param) {
    // A read from a time (--since): from the first page, filtered on that time, or on the stored
    // watermark when it is older so that nothing between the two is skipped. The watermark goes on.
    const known = parsed.success && parsed.data.endpoint === endpointOf(cfg) ? parsed.data : null;
    // A full read that stopped before its end goes on: every page after it is unread anyway.
    if (known && !known.done && known.filter === null) return planRead(cfg, cursor);
    const stored = known?.done ? known.since : (known?.filter ?? null);
    const asked = stored !== null && NUMBER.test(stored) ? String(Math.floor(from.getTime() / 1000)) : from.toISOString();
    const filter = stored !== null && compareWatermarks(stored, asked) < 0 ? stored : asked;
    return { filter, since: known?.since ?? null, page: first, skip: 0 };
  }
  if (!parsed.success || parsed.data.endpoint !== endpointOf(cfg)) return { filter: null, since: null, page: first, skip: 0 };
  const c = parsed.data;
  if (!c.done) {
    const filter = cfg.since_param ? c.filter : null;
    if (c.page && c.page.style === cfg.pagination.style) return { filter, since: c.since, page: c.page, skip: c.pos };
    return { filter, since: c.since, page: first, skip: 0 };
  }
  return { filter: cfg.since_param ? c.since : null, since: c.since, page: first, skip: 0 };
}
