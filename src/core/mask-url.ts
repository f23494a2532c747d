const SECRET_PARAMS = new Set(['password', 'sslpassword', 'sslkey', 'sslcert', 'passfile']);

/**
 * A database URL with its password (and secret query parameters) replaced by `***`, for
 * messages. A URL that does not parse is masked from `//user:` to the last `@` (a password may
 * hold `@`, `/` or `:`).
 */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) {
      if (SECRET_PARAMS.has(key.toLowerCase())) parsed.searchParams.set(key, '***');
    }
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):.*@/, '//$1:***@');
  }
}
