/**
 * What makes a duplicate record differ from its original, the way real records of one customer
 * do, and the dirty values a low share of all records carry. Each applied change is noted on the
 * record (`GeneratedRow.notes`), so a benchmark can tell which kinds of variation a matcher
 * misses.
 */
import { FORMAL_NAMES, NAME_POOLS, NICKNAMES } from './data/names.js';
import { SUFFIX_VARIANTS } from './data/companies.js';
import { daysInMonth, type Population } from './population.js';
import { WeightedTable, type Rng } from './prng.js';
import type { SourceLayout, View } from './sources.js';
import { applyTypo, hasCjk, hasNonAscii, transposeDigits } from './text.js';

export type VariationKind =
  | 'typo'
  | 'nickname'
  | 'initial'
  | 'missing'
  | 'phone-other'
  | 'dob-error'
  | 'swap-names'
  | 'married'
  | 'moved'
  | 'email-variant'
  | 'middle-name'
  | 'accents'
  | 'hyphen'
  | 'address-format'
  | 'postcode-typo'
  | 'chinese-form'
  | 'company-suffix'
  | 'company-case'
  | 'company-and'
  | 'company-contact';

const PERSON_VARIATIONS = new WeightedTable<VariationKind>([
  ['typo', 22], ['nickname', 8], ['initial', 3], ['missing', 14], ['phone-other', 6], ['dob-error', 6], ['swap-names', 3],
  ['married', 4], ['moved', 9], ['email-variant', 9], ['middle-name', 4], ['accents', 3], ['hyphen', 1], ['address-format', 5],
  ['postcode-typo', 2],
]);
const CHINESE_VARIATIONS = new WeightedTable<VariationKind>([
  ['chinese-form', 20], ['typo', 8], ['missing', 14], ['phone-other', 6], ['dob-error', 6], ['swap-names', 6], ['moved', 9],
  ['email-variant', 9], ['address-format', 4], ['postcode-typo', 2],
]);
const COMPANY_VARIATIONS = new WeightedTable<VariationKind>([
  ['typo', 20], ['company-suffix', 25], ['company-case', 6], ['company-and', 4], ['company-contact', 8], ['missing', 12], ['moved', 8],
  ['phone-other', 6], ['email-variant', 6], ['address-format', 5],
]);

const EMAIL_TAGS = ['shop', 'news', 'promo', 'crm', 'bills', 'online', 'store', '2019', 'orders', 'spam'];
const TAGGABLE = /@(gmail\.com|outlook\.com|hotmail\.com|icloud\.com|outlook\.de|live\.com\.au|hotmail\.co\.uk)$/;
const DOMAIN_TYPOS: Readonly<Record<string, readonly string[]>> = {
  'gmail.com': ['gmial.com', 'gmail.con', 'gmai.com', 'gmail.co'],
  'hotmail.com': ['hotmial.com', 'hotmail.con', 'hotmal.com'],
  'outlook.com': ['outlok.com', 'outlook.con'],
  'bigpond.com': ['bigpond.con', 'bigpong.com', 'bigpond.com.au'],
  'yahoo.com.au': ['yahoo.com', 'yaho.com.au'],
};

/**
 * Applies `count` variations (fewer when none fits) to a duplicate's view. `v` is the record
 * being made; `pop` supplies new addresses, numbers and e-mail addresses.
 */
export function applyVariations(v: View, count: number, pop: Population, rng: Rng): void {
  const table = v.kind === 'company' ? COMPANY_VARIATIONS : v.zh ? CHINESE_VARIATIONS : PERSON_VARIATIONS;
  const done = new Set<VariationKind>();
  for (let tries = 0; done.size < count && tries < count * 5; tries++) {
    const kind = table.sample(rng);
    if (done.has(kind)) continue;
    if (applyOne(kind, v, pop, rng)) done.add(kind);
  }
}

function applyOne(kind: VariationKind, v: View, pop: Population, rng: Rng): boolean {
  const person = v.kind === 'person';
  switch (kind) {
    case 'typo':
      // Applied to the rendered row, which names the column; sometimes two slips.
      v.typos += rng.chance(0.15) ? 2 : 1;
      return true;
    case 'nickname': {
      if (!person || (v.zh && !v.latin)) return false;
      const nicks = NICKNAMES.get(v.given);
      if (nicks) {
        v.given = rng.pick(nicks);
        v.notes.push('nickname');
        return true;
      }
      const formal = FORMAL_NAMES.get(v.given);
      if (formal) {
        v.given = rng.pick(formal);
        v.notes.push('nickname:formal');
        return true;
      }
      return false;
    }
    case 'initial':
      if (!person || v.given.length < 2) return false;
      v.initialOnly = true;
      v.latin = true;
      v.notes.push('initial');
      return true;
    case 'missing': {
      const options: string[] = [];
      if (v.email) options.push('email');
      if (v.mobile || v.landline) options.push('phone');
      if (v.dob) options.push('dob', 'dob');
      options.push('address');
      if (v.addr.postcode) options.push('postcode');
      const n = rng.chance(0.3) ? 2 : 1;
      let applied = 0;
      for (let i = 0; i < n && options.length; i++) {
        const f = options.splice(rng.below(options.length), 1)[0];
        if (f === 'email') v.email = '';
        else if (f === 'phone') {
          v.mobile = null;
          v.landline = null;
        } else if (f === 'dob') v.dob = 0;
        else if (f === 'address') v.dropAddress = true;
        else if (f === 'postcode') v.postcodeRaw = '';
        else continue;
        v.notes.push(`missing:${f}`);
        applied++;
        if (f === 'dob') options.splice(0, options.length, ...options.filter((o) => o !== 'dob'));
      }
      return applied > 0;
    }
    case 'phone-other': {
      if (v.mobile && v.landline && rng.chance(0.5)) {
        v.phonePref = rng.chance(0.5) ? 'landline' : 'mobile';
        v.notes.push(`phone:${v.phonePref}`);
        return true;
      }
      if (v.cc === 'US') v.mobile = pop.phones.next(v.addr.phoneScheme);
      else v.mobile = pop.phones.next(`${v.cc}-M`);
      v.phonePref = 'mobile';
      v.notes.push('phone:new-number');
      return true;
    }
    case 'dob-error': {
      if (!v.dob) return false;
      const y = Math.floor(v.dob / 10000);
      const m = Math.floor(v.dob / 100) % 100;
      const d = v.dob % 100;
      const r = rng.next();
      if (r < 0.4 && d <= 12 && d !== m) {
        v.dob = y * 10000 + d * 100 + m;
        v.notes.push('dob:day-month-swapped');
      } else if (r < 0.65) {
        const yy = y % 100;
        const swapped = (yy % 10) * 10 + Math.floor(yy / 10);
        const ny = swapped !== yy && swapped >= 20 ? 1900 + swapped : y + (rng.chance(0.5) ? 1 : -1);
        v.dob = ny * 10000 + m * 100 + Math.min(d, daysInMonth(ny, m));
        v.notes.push('dob:year');
      } else if (r < 0.85) {
        const nd = d === 1 ? 2 : d === daysInMonth(y, m) ? d - 1 : d + (rng.chance(0.5) ? 1 : -1);
        v.dob = y * 10000 + m * 100 + nd;
        v.notes.push('dob:day');
      } else {
        const nm = m === 12 ? 11 : m + 1;
        v.dob = y * 10000 + nm * 100 + Math.min(d, daysInMonth(y, nm));
        v.notes.push('dob:month');
      }
      return true;
    }
    case 'swap-names':
      if (!person || !v.given || !v.family) return false;
      [v.given, v.family] = [v.family, v.given];
      v.latin = true;
      v.middle = '';
      v.notes.push('swapped-names');
      return true;
    case 'married': {
      if (!person || v.gender !== 'F' || v.dob < 19550000 || v.dob > 20050000 || v.culture === 'korean' || v.culture === 'vietnamese') return false;
      const pool = NAME_POOLS[v.culture === 'chinese' || rng.chance(0.4) ? 'anglo' : v.culture];
      let fam = pool.family.sample(rng);
      if (fam === v.family) fam = pool.family.sample(rng);
      if (fam === v.family) return false;
      v.family = fam;
      v.zh = null;
      v.latin = true;
      v.addr = pop.moveHouse(v);
      if (v.landline) v.landline = pop.phones.next(v.addr.phoneScheme);
      if (v.email && rng.chance(0.6)) v.email = pop.personEmail(v);
      v.notes.push('married');
      return true;
    }
    case 'moved':
      v.addr = pop.moveHouse(v);
      if (v.landline) v.landline = pop.phones.next(v.addr.phoneScheme);
      v.notes.push('moved');
      return true;
    case 'email-variant': {
      if (!v.email) return false;
      const e = v.email;
      const at = e.indexOf('@');
      const local = e.slice(0, at);
      const domain = e.slice(at + 1);
      const r = rng.next();
      if (r < 0.25) {
        v.emailRaw = e.toUpperCase();
        v.notes.push('email:upper');
      } else if (r < 0.4) {
        v.emailRaw = local.replace(/(^|[._])([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase()) + '@' + domain.charAt(0).toUpperCase() + domain.slice(1);
        v.notes.push('email:case');
      } else if (r < 0.58 && TAGGABLE.test(e)) {
        v.emailRaw = `${local}+${rng.pick(EMAIL_TAGS)}@${domain}`;
        v.notes.push('email:plus-tag');
      } else if (r < 0.68 && domain === 'gmail.com' && local.includes('.')) {
        v.emailRaw = `${local.replace(/\./g, '')}@${domain}`;
        v.notes.push('email:gmail-dots');
      } else if (r < 0.78 && DOMAIN_TYPOS[domain]) {
        v.emailRaw = `${local}@${rng.pick(DOMAIN_TYPOS[domain] as readonly string[])}`;
        v.notes.push('email:domain-typo');
      } else if (person) {
        v.email = pop.personEmail(v);
        v.notes.push('email:new-address');
      } else return false;
      return true;
    }
    case 'middle-name':
      if (!person || !v.middle) return false;
      v.showMiddle = rng.chance(0.5) ? 'full' : 'initial';
      v.latin = true;
      v.notes.push(`middle-name:${v.showMiddle}`);
      return true;
    case 'accents':
      if (!person) return false;
      if (hasNonAscii(v.given + v.family)) {
        v.accents = v.culture === 'german' && rng.chance(0.6) ? 'translit' : 'drop';
      } else if (v.culture === 'vietnamese' || v.culture === 'hispanic') {
        v.accents = 'add';
      } else return false;
      v.notes.push(`accents:${v.accents}`);
      return true;
    case 'hyphen':
      if (!person || !v.family.includes('-')) return false;
      v.family = rng.chance(0.5) ? v.family.replace('-', ' ') : (v.family.split('-')[rng.below(2)] ?? v.family);
      v.notes.push('hyphen');
      return true;
    case 'address-format':
      if (v.cc === 'AU') {
        if (!v.addr.unit || v.addr.unit === 'PO Box') return false;
        v.addr = { ...v.addr, unit: '' };
        v.notes.push('address:unit-dropped');
        return true;
      }
      if (v.addr.streetAlt === v.addr.street) return false;
      v.addrAlt = true;
      v.notes.push('address:alternative-form');
      return true;
    case 'postcode-typo': {
      const pc = v.addr.postcode;
      if (!/^\d{4,5}$/.test(pc)) return false;
      const t = transposeDigits(pc, rng);
      if (!t) return false;
      v.postcodeRaw = t;
      v.notes.push('postcode:typo');
      return true;
    }
    case 'chinese-form': {
      if (!v.zh) return false;
      if (rng.chance(0.5) && v.zh.givSplit !== v.given) {
        v.givenSplit = true;
        v.notes.push('chinese:given-split');
      } else {
        v.latin = true;
        v.notes.push('chinese:latin-only');
      }
      return true;
    }
    case 'company-suffix': {
      if (person) return false;
      const variants = SUFFIX_VARIANTS.get(v.legal);
      const base = v.companyEn && v.legal && v.companyEn.endsWith(v.legal) ? v.companyEn : v.company;
      if (!variants || !v.legal || !base.endsWith(v.legal)) return false;
      const stem = base.slice(0, base.length - v.legal.length).trimEnd();
      const to = rng.pick(variants);
      v.companyName = to ? `${stem} ${to}` : stem;
      v.notes.push(`company:suffix`);
      return true;
    }
    case 'company-case':
      if (person || hasCjk(v.company)) return false;
      v.companyName = (v.companyName ?? v.company).toUpperCase();
      v.notes.push('company:upper-case');
      return true;
    case 'company-and': {
      const name = v.companyName ?? v.company;
      if (person || !/ & | and /.test(name)) return false;
      v.companyName = name.includes(' & ') ? name.replace(' & ', ' and ') : name.replace(' and ', ' & ');
      v.notes.push('company:and');
      return true;
    }
    case 'company-contact': {
      if (person) return false;
      const other = pop.contactName(v.cc);
      v.contactGiven = other.given;
      v.contactFamily = other.family;
      v.notes.push('company:other-contact');
      return true;
    }
  }
}

/**
 * Applies keyboard slips to a rendered row, on the columns the layout allows; each is noted with
 * its column ("typo:last_name").
 */
export function applyRowTypos(values: string[], count: number, layout: SourceLayout, company: boolean, notes: string[], rng: Rng): void {
  const cols = company ? layout.companyTypoColumns : layout.typoColumns;
  let total = 0;
  for (const [, w] of cols) total += w;
  let used = -1;
  for (let n = 0; n < count; n++) {
    for (let tries = 0; tries < 6; tries++) {
      let r = rng.next() * total;
      let col = (cols[0] as readonly [number, number])[0];
      for (const [c, w] of cols) {
        if ((r -= w) < 0) {
          col = c;
          break;
        }
      }
      const value = values[col] ?? '';
      if (!value || hasCjk(value) || col === used) continue;
      const at = value.indexOf('@');
      const target = at > 0 ? value.slice(0, at) : value;
      const t = applyTypo(target, rng);
      if (!t) continue;
      values[col] = at > 0 ? t.value + value.slice(at) : t.value;
      used = col;
      notes.push(layout.typoNotes[col] as string);
      break;
    }
  }
}

export type DirtKind = 'email-invalid' | 'email-placeholder' | 'phone-placeholder' | 'date-impossible' | 'date-placeholder' | 'date-future' | 'postcode-invalid';
const DIRT = new WeightedTable<DirtKind>([
  ['email-invalid', 22], ['email-placeholder', 18], ['phone-placeholder', 20], ['date-impossible', 15], ['date-placeholder', 10],
  ['date-future', 5], ['postcode-invalid', 10],
]);
const EMAIL_PLACEHOLDERS = ['none', 'n/a', 'noemail@noemail.com', 'test@test.com', 'no@email.com', '-', 'na@na.com', 'unknown', 'noemail'];
const PHONE_PLACEHOLDERS = ['0000000000', '1111111111', '0400000000', '9999999999', '123', 'N/A', '0', '12345678', 'TBA', '0000 000 000'];
const POSTCODE_PLACEHOLDERS = ['0000', '9999', 'XXXX', 'N/A', '.'];

/** Writes a date in the source's own format (ISO, d/m/y or yyyymmdd) from parts that may be invalid. */
function dateIn(source: View['source'], y: number, m: number, d: number): string {
  const p2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
  if (source === 'erp') return `${y}-${p2(m)}-${p2(d)}`;
  if (source === 'crm') return `${p2(d)}/${p2(m)}/${y}`;
  return `${y}${p2(m)}${p2(d)}`;
}

/** Puts one dirty value in the record (what real data has at a low rate). */
export function applyDirt(v: View, rng: Rng): void {
  let kind = DIRT.sample(rng);
  const person = v.kind === 'person';
  if (!person && kind.startsWith('date')) kind = 'email-placeholder';
  switch (kind) {
    case 'email-invalid': {
      const e = v.email || `${(v.given || 'info').toLowerCase()}@gmail.com`;
      const at = e.indexOf('@');
      const local = e.slice(0, at);
      const domain = e.slice(at + 1);
      const r = rng.below(6);
      v.emailRaw =
        r === 0 ? `${local}@@${domain}` : r === 1 ? `${local}${domain}` : r === 2 ? `${local}@${domain.split('.')[0]}` :
        r === 3 ? `${local} @${domain}` : r === 4 ? `${local}@${domain.replace('.', '..')}` : `${local}@${domain.replace('.', ',')}`;
      break;
    }
    case 'email-placeholder':
      v.emailRaw = rng.pick(EMAIL_PLACEHOLDERS);
      break;
    case 'phone-placeholder':
      v.phoneRaw = rng.pick(PHONE_PLACEHOLDERS);
      break;
    case 'date-impossible': {
      const y = v.dob ? Math.floor(v.dob / 10000) : 1980;
      const r = rng.below(4);
      // 29 February of a year that is not a leap year, if any is at hand.
      const noLeap = y % 4 === 0 ? y + 1 : y;
      v.dobRaw = r === 0 ? dateIn(v.source, y, 2, 30) : r === 1 ? dateIn(v.source, y, 13, rng.int(1, 28)) : r === 2 ? dateIn(v.source, y, rng.int(1, 12), 32) : dateIn(v.source, noLeap, 2, 29);
      break;
    }
    case 'date-placeholder':
      v.dobRaw = v.source === 'legacy' ? rng.pick(['00000000', '19000101']) : dateIn(v.source, 1900, 1, 1);
      break;
    case 'date-future': {
      const y = (v.dob ? Math.floor(v.dob / 10000) : 1985) + 100;
      v.dobRaw = dateIn(v.source, y, v.dob ? Math.floor(v.dob / 100) % 100 : 6, v.dob ? v.dob % 100 : 15);
      break;
    }
    case 'postcode-invalid':
      v.postcodeRaw = rng.pick(POSTCODE_PLACEHOLDERS);
      break;
  }
  v.notes.push(`dirt:${kind}`);
}
