import { setTimeout as sleep } from 'node:timers/promises';
import { CrmEtlError } from '../../core/errors.js';
import { redactUrl, scrubSecrets } from './redact.js';
import type { TokenBucket } from './token-bucket.js';

/** What {@link HttpClient} needs; built once per source from its configuration. */
export interface HttpClientOptions {
  /** Source name, for messages. */
  source: string;
  /** Every request header, credentials included; never shown. */
  headers: Readonly<Record<string, string>>;
  /** Values scrubbed from any text a message quotes (tokens, passwords, header values). */
  secrets: readonly string[];
  retries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  timeoutMs: number;
  bucket: TokenBucket;
  /** Source of jitter, [0, 1). Default Math.random. */
  random?: () => number;
}

/** The HTTP status of an answer that failed a request, when there was one. */
export function failedStatus(err: unknown): number | undefined {
  const cause = err instanceof Error ? (err.cause as { status?: unknown } | undefined) : undefined;
  return typeof cause?.status === 'number' ? cause.status : undefined;
}

/** A parsed JSON answer, with the headers (Link) and the final URL (after redirects). */
export interface JsonResponse {
  body: unknown;
  headers: Headers;
  url: string;
}

/**
 * Wait before retry number `retry` (0 for the first retry): exponential backoff with full
 * jitter, a random time in [0, min(maxMs, baseMs × 2^retry)).
 */
export function backoffDelay(retry: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** retry));
}

/**
 * A Retry-After header in ms from `nowMs`: delta-seconds (`120`) or an HTTP date (a date in the
 * past is 0). Undefined when absent or unreadable, so the caller falls back to backoff.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // An HTTP date always names a weekday or month; a bare number that failed above is junk.
  if (!/[a-z]/i.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

/** 429 and 5xx are worth retrying; 501 and 505 say the request itself will never work. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}

function describeNetworkError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `no complete answer within ${timeoutMs} ms`;
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : err instanceof Error ? err.message : String(err);
  return `network error (${detail})`;
}

/**
 * GETs JSON with the source's rate limit, timeout and retry policy. Retries 429, 5xx (but 501,
 * 505), network errors and timeouts with backoff and full jitter; a Retry-After (seconds or
 * HTTP date) replaces the backoff, plus up to `retryBaseMs` of jitter. Any other 4xx fails at once. Every failure is a CrmEtlError naming the source and the request
 * (URL with secrets masked) and saying what to do; credentials never appear in it.
 */
export class HttpClient {
  private readonly random: () => number;

  constructor(private readonly opts: HttpClientOptions) {
    this.random = opts.random ?? Math.random;
  }

  async getJson(url: URL): Promise<JsonResponse> {
    const { source, retries, timeoutMs } = this.opts;
    const where = `GET ${redactUrl(url)}`;
    let last = '';
    for (let attempt = 0; attempt <= retries; attempt++) {
      await this.opts.bucket.take();
      let retryAfterMs: number | undefined;
      try {
        const res = await fetch(url, { headers: this.opts.headers, signal: AbortSignal.timeout(timeoutMs) });
        if (res.ok) {
          const text = await res.text();
          return { body: this.parseJson(text, res, where), headers: res.headers, url: res.url || url.toString() };
        }
        const statusText = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
        if (!isRetryableStatus(res.status)) throw await this.statusError(res, statusText, where);
        // Free the connection for the retry.
        await res.body?.cancel().catch(() => undefined);
        last = statusText;
        retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), Date.now());
        if (retryAfterMs !== undefined && retryAfterMs > this.opts.retryMaxMs) {
          throw new CrmEtlError(
            'SOURCE_UNAVAILABLE',
            `source "${source}": ${where} answered ${statusText} and asks to wait ${Math.ceil(retryAfterMs / 1000)} s before retrying, ` +
              `longer than retry_max_ms (${this.opts.retryMaxMs} ms); run again later or raise retry_max_ms`,
          );
        }
      } catch (err) {
        if (err instanceof CrmEtlError) throw err;
        last = describeNetworkError(err, timeoutMs);
      }
      if (attempt < retries) {
        const { retryBaseMs, retryMaxMs } = this.opts;
        // After a Retry-After, a little jitter still: clients told the same time should not all come back at once.
        await sleep(retryAfterMs !== undefined ? retryAfterMs + backoffDelay(0, retryBaseMs, retryMaxMs, this.random) : backoffDelay(attempt, retryBaseMs, retryMaxMs, this.random));
      }
    }
    throw new CrmEtlError(
      'SOURCE_UNAVAILABLE',
      `source "${source}": ${where} failed ${retries + 1} time${retries ? 's' : ''} (last: ${scrubSecrets(last, this.opts.secrets)}); ` +
        `the API is down, overloaded or unreachable: try again later, or raise retries or timeout_ms`,
    );
  }

  private parseJson(text: string, res: Response, where: string): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      const type = res.headers.get('content-type') ?? 'no content-type';
      throw new CrmEtlError(
        'SOURCE_SCHEMA',
        `source "${this.opts.source}": ${where} answered with a body that is not JSON (${type}, ${text.length} characters); ` +
          `check that url points at the JSON API, not at a web page or a login form`,
        { cause: err },
      );
    }
  }

  private async statusError(res: Response, statusText: string, where: string): Promise<CrmEtlError> {
    const { source } = this.opts;
    // The cause carries the status only, so callers can tell answers apart without parsing text.
    const cause = { status: res.status };
    if (res.status === 401 || res.status === 403) {
      // The body is not quoted: some servers echo the credentials they refused.
      await res.body?.cancel().catch(() => undefined);
      return new CrmEtlError(
        'CONFIG_INVALID',
        `source "${source}": the server refused the credentials (${statusText}) for ${where}; ` +
          `check the source's auth (and the environment variable its token or password comes from) and that the account may read this endpoint`,
        { cause },
      );
    }
    const text = await res.text().catch(() => '');
    const snippet = scrubSecrets(text.replace(/\s+/g, ' ').trim().slice(0, 200), this.opts.secrets);
    const said = snippet ? `; the server said: ${snippet}` : '';
    if (res.status === 404 || res.status === 410) {
      return new CrmEtlError('SOURCE_NOT_FOUND', `source "${source}": ${where} answered ${statusText}${said}; check the source's url`, { cause });
    }
    return new CrmEtlError(
      'CONFIG_INVALID',
      `source "${source}": ${where} answered ${statusText}${said}; the request was refused as it is, so it is not retried: ` +
        `check url, pagination parameters, since_param and headers`,
      { cause },
    );
  }
}
