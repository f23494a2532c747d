import { z } from 'zod';
import type { HttpPagination } from '../../config/sources/http.js';
import { getPath, describeJson } from './json-records.js';
import { redactUrl } from './redact.js';

/** Where a read is in the API: enough to fetch the same page again. JSON, kept in cursors. */
export const pageStateSchema = z.discriminatedUnion('style', [
  z.object({ style: z.literal('page'), page: z.number().int().min(0) }),
  z.object({ style: z.literal('offset'), offset: z.number().int().min(0) }),
  /** `token: null` is the first page (sent without a token). */
  z.object({ style: z.literal('cursor'), token: z.string().nullable() }),
  /** `url: null` is the first page (the configured url). */
  z.object({ style: z.literal('link'), url: z.string().nullable() }),
]);
export type PageState = z.infer<typeof pageStateSchema>;

/** The state of the first page. */
export function firstPage(p: HttpPagination): PageState {
  switch (p.style) {
    case 'page':
      return { style: 'page', page: p.start_page };
    case 'offset':
      return { style: 'offset', offset: 0 };
    case 'cursor':
      return { style: 'cursor', token: null };
    case 'link':
      return { style: 'link', url: null };
    default: {
      const never: never = p;
      return never;
    }
  }
}

/**
 * The URL of a page: the configured url plus the paging parameters and, for an incremental
 * run, `since`. A Link header's URL is used as given, with `since` added when the server left
 * it out (some servers drop filters from their next links).
 */
export function pageUrl(base: URL, p: HttpPagination, state: PageState, since: { param: string; value: string } | null): URL {
  const u = new URL(state.style === 'link' && state.url ? state.url : base);
  const q = u.searchParams;
  if (p.style === 'page' && state.style === 'page') {
    q.set(p.page_param, String(state.page));
    q.set(p.size_param, String(p.page_size));
  } else if (p.style === 'offset' && state.style === 'offset') {
    q.set(p.offset_param, String(state.offset));
    q.set(p.size_param, String(p.page_size));
  } else if (p.style === 'cursor' && state.style === 'cursor') {
    if (state.token !== null) q.set(p.cursor_param, state.token);
    q.set(p.size_param, String(p.page_size));
  } else if (p.style === 'link' && state.style === 'link') {
    if (state.url === null && p.page_size !== undefined) q.set(p.size_param, String(p.page_size));
  } else {
    throw new Error(`page state "${state.style}" does not fit pagination style "${p.style}"`);
  }
  if (since && !(state.style === 'link' && state.url && q.has(since.param))) q.set(since.param, since.value);
  return u;
}

/** A human-findable name of a page for lineage: its number, offset, token or (link) path. */
export function pageLabel(state: PageState, url: URL): string {
  switch (state.style) {
    case 'page':
      return String(state.page);
    case 'offset':
      return String(state.offset);
    case 'cursor':
      return state.token ?? 'first';
    case 'link': {
      const r = new URL(redactUrl(url));
      return r.pathname + r.search;
    }
    default: {
      const never: never = state;
      return never;
    }
  }
}

/** The entries of an RFC 8288 Link header: target URL (as written) and its rel values. */
export function parseLinkHeader(value: string | null): { url: string; rel: string[] }[] {
  if (!value) return [];
  const out: { url: string; rel: string[] }[] = [];
  for (const m of value.matchAll(/<([^>]*)>([^<]*)/g)) {
    const rel = /(?:^|;)\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))/i.exec(m[2] ?? '');
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    out.push({ url: (m[1] ?? '').trim(), rel: rels });
  }
  return out;
}

/**
 * The page after the one just read, or null at the end: page and offset end at an empty page,
 * cursor at a body without a next token, link at a response without `rel="next"`. A problem
 * (an unreadable token, a next link to another host) is returned as text for the message.
 */
export function nextPage(
  p: HttpPagination,
  state: PageState,
  page: { entries: number; body: unknown; link: string | null; url: string; base: URL },
): { next: PageState | null } | { problem: string } {
  switch (state.style) {
    case 'page':
      return { next: page.entries ? { style: 'page', page: state.page + 1 } : null };
    case 'offset':
      // Advance by what came, not by page_size: a server capping the size is still read whole.
      return { next: page.entries ? { style: 'offset', offset: state.offset + page.entries } : null };
    case 'cursor': {
      const path = p.style === 'cursor' ? p.next_cursor_path : 'next_cursor';
      const t = getPath(page.body, path);
      if (t === undefined || t === null || t === '' || t === false) return { next: null };
      if (typeof t !== 'string' && typeof t !== 'number') return { problem: `the next cursor at "${path}" is ${describeJson(t)}, not a string` };
      return { next: { style: 'cursor', token: String(t) } };
    }
    case 'link': {
      const next = parseLinkHeader(page.link).find((l) => l.rel.includes('next'));
      if (!next) return { next: null };
      let u: URL;
      try {
        u = new URL(next.url, page.url);
      } catch {
        return { problem: 'the Link header\'s rel="next" URL cannot be read' };
      }
      // Credentials are only ever sent to the configured host.
      if (u.origin !== page.base.origin) return { problem: `the Link header's next page is on another host (${u.origin}); credentials are not sent there` };
      return { next: { style: 'link', url: u.toString() } };
    }
    default: {
      const never: never = state;
      return never;
    }
  }
}
