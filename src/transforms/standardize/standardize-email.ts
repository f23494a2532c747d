import { ok, type Issue, type TransformResult } from '../../core/issue.js';
import { rejectValue, warnValue } from './issue-codes.js';
import { normalizeText } from './normalize-text.js';
import { isNullToken } from './placeholders.js';

const FIELD = 'email';

// Pragmatic syntax: dot-atom local part (no quoted strings, no comments), a domain of valid
// labels and an alphabetic TLD (or an IDN xn-- TLD). Not RFC 5322 in full, on purpose: CRM data
// with quoted local parts is junk far more often than it is real.
const ASCII_EMAIL =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
// Internationalized addresses (EAI / IDN written in Unicode): letters and digits of any script.
const UNICODE_EMAIL =
  /^[\p{L}\p{M}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{M}\p{N}!#$%&'*+/=?^_`{|}~-]+)*@(?:[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}-]{0,61}[\p{L}\p{M}\p{N}])?\.)+(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})$/u;
const NON_ASCII = /[^\x00-\x7f]/;

// Local parts that are never a person's mailbox.
const JUNK_LOCALS = new Set([
  'noemail', 'no-email', 'no_email', 'no.email', 'nomail', 'no-mail', 'no_mail', 'noreply',
  'no-reply', 'no_reply', 'donotreply', 'do-not-reply', 'do_not_reply', 'dontreply', 'none', 'no',
  'na', 'n.a', 'null', 'nil', 'test', 'testing', 'dummy', 'fake', 'unknown', 'asdf', 'qwerty',
  'xxx', 'xx', 'x', 'sample', 'nobody', 'noone', 'no-one', 'notprovided', 'not.provided',
  'notavailable', 'declined', 'refused', 'noaddress', 'invalid', 'email', 'someone',
]);
// Domains reserved for documentation/tests (RFC 2606/6761) or used as stand-ins.
const JUNK_DOMAINS = new Set([
  'example.com', 'example.org', 'example.net', 'example.edu', 'test.com', 'test.org', 'none.com',
  'noemail.com', 'nomail.com', 'no-email.com', 'noreply.com', 'fake.com', 'dummy.com',
  'domain.com', 'email.email', 'null.com', 'unknown.com', 'invalid.com', 'none', 'na.com',
  'xxx.com', 'asdf.com', 'test.test',
]);
const JUNK_TLDS = /\.(?:test|example|invalid|localhost|local)$/;
// Whole values that mean "no e-mail".
const JUNK_VALUES = new Set([
  'no', 'none@none', 'no@email', 'noemail', 'no email', 'no e-mail', 'nomail', 'no mail', '@',
  'email', 'e-mail', 'na@na', 'not provided', 'declined', 'refused', 'no@no', 'none@none.none',
  '无', '没有', 'なし',
]);

// Likely typos of the large consumer providers: warned about, not corrected.
const DOMAIN_TYPOS = new Map<string, string>([
  ['gmial.com', 'gmail.com'], ['gmal.com', 'gmail.com'], ['gmaill.com', 'gmail.com'],
  ['gmai.com', 'gmail.com'], ['gamil.com', 'gmail.com'], ['gnail.com', 'gmail.com'],
  ['gmail.co', 'gmail.com'], ['gmail.cm', 'gmail.com'], ['gmail.con', 'gmail.com'],
  ['gmail.om', 'gmail.com'], ['gmail.cmo', 'gmail.com'], ['gmali.com', 'gmail.com'],
  ['hotmial.com', 'hotmail.com'], ['hotmal.com', 'hotmail.com'], ['hotmai.com', 'hotmail.com'],
  ['hotmail.co', 'hotmail.com'], ['hotmail.con', 'hotmail.com'], ['hotamil.com', 'hotmail.com'],
  ['yahooo.com', 'yahoo.com'], ['yaho.com', 'yahoo.com'], ['yahoo.con', 'yahoo.com'],
  ['yahoo.co', 'yahoo.com'], ['outlok.com', 'outlook.com'], ['outloo.com', 'outlook.com'],
  ['outlook.con', 'outlook.com'], ['iclod.com', 'icloud.com'], ['icloud.co', 'icloud.com'],
  ['163.con', '163.com'], ['qq.con', 'qq.com'], ['qq.co', 'qq.com'], ['bigpond.con', 'bigpond.com'],
]);

const MAILTO = /^mailto:/;
const ANGLE = /<([^<>]*@[^<>]*)>/;
const WRAPPERS = /^["'(<[{\s]+|["')>\]}\s.,;:]+$/g;
const SEPARATORS = /[;,\s]+/;

function syntaxOk(s: string): boolean {
  return ASCII_EMAIL.test(s) || (NON_ASCII.test(s) && UNICODE_EMAIL.test(s));
}

/** Says what is wrong with an address that failed the syntax check. */
function invalidReason(s: string): string {
  const at = s.split('@').length - 1;
  if (at === 0) return 'The address has no @.';
  if (at > 1) return 'The address has more than one @.';
  const [local = '', domain = ''] = s.split('@');
  if (local === '') return 'The address has nothing before the @.';
  if (local.length > 64) return 'The part before the @ is longer than 64 characters.';
  if (domain === '') return 'The address has no domain after the @.';
  if (/\s/.test(s)) return 'The address contains spaces.';
  if (/\.\./.test(s)) return 'The address contains two dots in a row.';
  if (local.startsWith('.') || local.endsWith('.')) return 'The part before the @ starts or ends with a dot.';
  if (!domain.includes('.')) return 'The domain has no top-level domain (such as .com).';
  if (domain.split('.').some((l) => l.startsWith('-') || l.endsWith('-'))) return 'A domain label starts or ends with a hyphen.';
  if (!/\.(?:\p{L}{2,63}|xn--[a-z0-9-]+)$/u.test(domain)) return 'The top-level domain is not valid.';
  return 'The address contains characters not allowed in an e-mail address.';
}

function isJunkAddress(address: string, domain = address.slice(address.indexOf('@') + 1)): boolean {
  const local = address.slice(0, address.length - domain.length - 1);
  if (JUNK_LOCALS.has(local) || JUNK_DOMAINS.has(domain) || JUNK_TLDS.test(domain)) return true;
  // test@test.com, a@a.com, abc@abc.com: the local part repeats a short domain name.
  const label = domain.slice(0, domain.indexOf('.'));
  return local === label && local.length <= 4;
}

/**
 * Cleans and validates an e-mail address: trimmed, lower case (the local part too: mailbox names
 * are case-insensitive at every provider that matters), decoration removed with EMAIL_CLEANED
 * (`mailto:`, `Name <addr>`, quotes and brackets, spaces, trailing dot), several addresses
 * reduced to the first valid one (EMAIL_MULTIPLE). Rejects: EMAIL_PLACEHOLDER for junk (n/a, -,
 * noemail@…, test@test.com, no@email.com, …@example.com, RFC 2606 TLDs) and EMAIL_INVALID with the
 * reason. A likely provider typo (gmial.com) is kept with EMAIL_DOMAIN_TYPO.
 */
export function standardizeEmail(value: string): TransformResult<string> {
  const raw = normalizeText(value);
  if (raw === '') return rejectValue(FIELD, 'VALUE_EMPTY', 'The e-mail address is empty.');
  let s = raw.toLowerCase();
  if (isNullToken(s) || (s.length <= 16 && JUNK_VALUES.has(s))) {
    return rejectValue(FIELD, 'EMAIL_PLACEHOLDER', 'The value is a placeholder, not an e-mail address.');
  }
  let issues: Issue[] | undefined;
  if (!syntaxOk(s)) {
    const repaired = repair(s);
    if (repaired.address === null) {
      if (isJunkAddress(s)) return rejectValue(FIELD, 'EMAIL_PLACEHOLDER', 'The value is a placeholder, not an e-mail address.');
      return rejectValue(FIELD, 'EMAIL_INVALID', invalidReason(s));
    }
    s = repaired.address;
    issues = [repaired.multiple
      ? warnValue(FIELD, 'EMAIL_MULTIPLE', 'The value held several addresses; the first valid one was kept.')
      : warnValue(FIELD, 'EMAIL_CLEANED', 'Decoration around the address was removed.')];
  }
  // One domain string for every lookup: V8 keeps a string's hash once computed.
  const domain = s.slice(s.indexOf('@') + 1);
  if (isJunkAddress(s, domain)) {
    return rejectValue(FIELD, 'EMAIL_PLACEHOLDER', 'The address is a placeholder, not a real mailbox.');
  }
  const typo = DOMAIN_TYPOS.get(domain);
  if (typo !== undefined) {
    (issues ??= []).push(warnValue(FIELD, 'EMAIL_DOMAIN_TYPO', `The domain looks like a typo of ${typo}.`));
  }
  return ok(s, issues);
}

/** Tries the usual repairs in turn; returns the first address that passes the syntax check. */
function repair(s: string): { address: string | null; multiple: boolean } {
  let t = s.replace(MAILTO, '');
  const angle = ANGLE.exec(t);
  if (angle?.[1] !== undefined) t = angle[1].trim();
  t = t.replace(WRAPPERS, '').replace(MAILTO, '');
  if (syntaxOk(t)) return { address: t, multiple: false };
  // "a@x.com; b@y.com" or "a@x.com / b@y.com": the first valid address wins.
  const candidates = t.split(SEPARATORS).filter((c) => c.includes('@'));
  if (candidates.length > 1) {
    for (const c of candidates) {
      const cc = c.replace(WRAPPERS, '');
      if (syntaxOk(cc)) return { address: cc, multiple: true };
    }
  }
  // "john . smith @ gmail . com": spaces that only pad the punctuation.
  const squeezed = t.replace(/\s*([@.])\s*/g, '$1');
  if (!/\s/.test(squeezed) && syntaxOk(squeezed)) return { address: squeezed, multiple: false };
  const trimmedDot = t.replace(/\.+$/, '');
  if (syntaxOk(trimmedDot)) return { address: trimmedDot, multiple: false };
  return { address: null, multiple: false };
}

// Providers that ignore dots in the local part (Gmail only) and domain aliases of one mailbox.
const DOMAIN_ALIASES = new Map<string, string>([
  ['googlemail.com', 'gmail.com'],
  ['ya.ru', 'yandex.ru'], ['yandex.com', 'yandex.ru'], ['yandex.by', 'yandex.ru'],
  ['yandex.kz', 'yandex.ru'], ['yandex.ua', 'yandex.ru'],
]);
// Providers where "+tag" is sub-addressing of one mailbox.
const PLUS_TAG_DOMAINS = new Set([
  'gmail.com', 'outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'passport.com',
  'icloud.com', 'me.com', 'mac.com', 'fastmail.com', 'fastmail.fm', 'protonmail.com',
  'protonmail.ch', 'proton.me', 'pm.me', 'yandex.ru', 'zoho.com', 'zohomail.com', 'tutanota.com',
  'tuta.io', 'gmx.com', 'gmx.net', 'gmx.de', 'posteo.de', 'mailbox.org',
]);
// Country variants of Microsoft consumer domains: hotmail.co.uk, live.com.au, outlook.de, …
const MICROSOFT_DOMAIN = /^(?:hotmail|outlook|live|msn)\.(?:[a-z]{2,3}|com?\.[a-z]{2})$/;

/**
 * A key under which variants of one mailbox compare equal; not for display or sending.
 *
 * - Gmail (and googlemail.com, folded to gmail.com): dots in the local part removed, +tag removed.
 * - Microsoft consumer mail (outlook, hotmail, live, msn; every country domain), iCloud (icloud,
 *   me, mac), Fastmail, Proton, Yandex (domain aliases folded to yandex.ru), Zoho, Tuta, GMX,
 *   Posteo, mailbox.org: +tag removed; dots kept (they are significant there).
 * - Every other domain, company domains included: only lower-cased. Whether a company server
 *   treats "+" as sub-addressing is its own configuration, so stripping it could merge two
 *   people's mailboxes; a missed merge is the cheaper mistake.
 *
 * Input is expected to be a standardized address; anything without an @ is returned lower-cased.
 */
export function emailMatchKey(email: string): string {
  const e = email.trim().toLowerCase();
  const at = e.lastIndexOf('@');
  if (at < 1) return e;
  let local = e.slice(0, at);
  let domain = e.slice(at + 1);
  domain = DOMAIN_ALIASES.get(domain) ?? domain;
  if (PLUS_TAG_DOMAINS.has(domain) || MICROSOFT_DOMAIN.test(domain)) {
    const plus = local.indexOf('+');
    if (plus > 0) local = local.slice(0, plus);
  }
  if (domain === 'gmail.com') local = local.replace(/\./g, '');
  return local + '@' + domain;
}
