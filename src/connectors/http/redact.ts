/** Query parameter names whose values are masked wherever a URL is shown or kept. */
const SECRET_PARAM = /(key|token|secret|passw|pwd|signature|^sig$|auth|credential|session)/i;

/**
 * A URL fit for lineage, logs and messages: no user or password, and the values of query
 * parameters that look secret (`api_key`, `access_token`, `signature`, …) replaced by `***`.
 */
export function redactUrl(url: string | URL): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  for (const name of [...new Set(u.searchParams.keys())]) {
    if (SECRET_PARAM.test(name)) u.searchParams.set(name, '***');
  }
  return u.toString();
}

/** Removes every occurrence of the given secrets from a text (e.g. an error body echoing a token). */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}
