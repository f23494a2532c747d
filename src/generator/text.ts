import type { Rng } from './prng.js';

/** "00" … "99", so that formatting a date allocates one string. */
export const PAD2: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

const NON_ASCII = /[^\x00-\x7f]/;
const MARKS = /\p{M}/gu;
// Letters NFD does not decompose into a base letter and a mark.
const SPECIAL_ASCII: Readonly<Record<string, string>> = {
  ß: 'ss', ẞ: 'SS', ı: 'i', İ: 'I', đ: 'd', Đ: 'D', ø: 'o', Ø: 'O', æ: 'ae', Æ: 'AE', ł: 'l', Ł: 'L', œ: 'oe', Œ: 'OE',
};
const SPECIAL_RE = /[ßẞıİđĐøØæÆłŁœŒ]/g;
const asciiCache = new Map<string, string>();

/** Drops accents the way an old system or a US keyboard does: Zoë → Zoe, Müller → Muller, Đặng → Dang. */
export function toAscii(s: string): string {
  if (!NON_ASCII.test(s)) return s;
  const hit = asciiCache.get(s);
  if (hit !== undefined) return hit;
  const out = s.replace(SPECIAL_RE, (c) => SPECIAL_ASCII[c] ?? c).normalize('NFD').replace(MARKS, '');
  // Names and streets repeat: the cache stays small (pools are finite) and saves the NFD pass.
  if (asciiCache.size < 50_000) asciiCache.set(s, out);
  return out;
}

/** German transliteration: Müller → Mueller, Weiß → Weiss (what a form without umlauts gets). */
export function germanAscii(s: string): string {
  return s
    .replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue')
    .replace(/Ä/g, 'Ae').replace(/Ö/g, 'Oe').replace(/Ü/g, 'Ue')
    .replace(/ß/g, 'ss');
}

export function hasNonAscii(s: string): boolean {
  return NON_ASCII.test(s);
}

const CJK = /[\u3400-\u9fff]/;
export function hasCjk(s: string): boolean {
  return CJK.test(s);
}

/** Lower-case ASCII letters and digits only ("O'Neill" → "oneill"). */
export function slug(s: string): string {
  return toAscii(s).toLowerCase().replace(/[^a-z0-9]/g, '');
}

const nameSlugs = new Map<string, string>();
/** `slug` of a name, cached: names come from finite pools, so the cache stays small and always hits. */
export function nameSlug(s: string): string {
  let out = nameSlugs.get(s);
  if (out === undefined) {
    out = slug(s);
    if (nameSlugs.size < 200_000) nameSlugs.set(s, out);
  }
  return out;
}

/** ASCII digits, "+", "(", ")" and "-" in their full-width forms (a CJK input method's output). */
export function toFullWidth(s: string): string {
  return s.replace(/[0-9+()\-/]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
}

// Keys next to each key on a QWERTY keyboard: substitution typos hit a neighbour.
const NEIGHBOURS: Readonly<Record<string, string>> = {
  a: 'qwsz', b: 'vghn', c: 'xdfv', d: 'serfcx', e: 'wsdr', f: 'drtgvc', g: 'ftyhbv', h: 'gyujnb', i: 'ujko',
  j: 'huikmn', k: 'jiolm', l: 'kop', m: 'njk', n: 'bhjm', o: 'iklp', p: 'ol', q: 'wa', r: 'edft', s: 'awedxz',
  t: 'rfgy', u: 'yhji', v: 'cfgb', w: 'qase', x: 'zsdc', y: 'tghu', z: 'asx',
};
const VOWELS = 'aeiou';

const TITLES = new Set(['mrs', 'miss', 'prof', 'sir', 'the', 'pty', 'ltd', 'llc', 'inc', 'gmbh']);

export type TypoKind = 'delete' | 'insert' | 'substitute' | 'transpose' | 'double';

/**
 * One keyboard slip in `s`: a deleted, inserted, substituted (neighbouring key or vowel swap) or
 * transposed letter, or a doubled / undoubled letter. The first letter is kept most of the time,
 * as people rarely mistype it. Returns null when `s` has no room for a typo (fewer than 3 letters).
 */
export function applyTypo(s: string, rng: Rng): { value: string; kind: TypoKind } | null {
  if (s.length < 3) return null;
  // A word of at least 3 letters that is not a title ("Mr", "Mrs", "Dr."), then a letter in it,
  // usually not its first.
  const words: [number, number][] = [];
  const re = /[\p{L}']+/gu;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    if (m[0].length >= 3 && !TITLES.has(m[0].toLowerCase())) words.push([m.index, m[0].length]);
  }
  if (words.length === 0) return null;
  const [start, len] = rng.pick(words);
  const i = start + (rng.chance(0.08) ? 0 : rng.int(1, len - 1));
  if (!/\p{L}/u.test(s.charAt(i))) return null;
  const c = s.charAt(i);
  const lower = c.toLowerCase();
  const upper = c !== lower;
  const recase = (x: string): string => (upper ? x.toUpperCase() : x);
  const r = rng.next();
  if (r < 0.22) {
    // A doubled letter lost (Phillips → Philips) or a single one doubled (Philips → Phillips).
    if (i > 0 && s.charAt(i - 1) === c) return { value: s.slice(0, i) + s.slice(i + 1), kind: 'double' };
    return { value: s.slice(0, i + 1) + c + s.slice(i + 1), kind: 'double' };
  }
  if (r < 0.42) {
    if (s.length < 4) return null;
    return { value: s.slice(0, i) + s.slice(i + 1), kind: 'delete' };
  }
  if (r < 0.7) {
    const pool = VOWELS.includes(lower) && rng.chance(0.5) ? VOWELS : (NEIGHBOURS[lower] ?? 'e');
    let sub = rng.pick(pool.split(''));
    if (sub === lower) sub = pool.charAt((pool.indexOf(sub) + 1) % pool.length);
    if (sub === lower) return null;
    return { value: s.slice(0, i) + recase(sub) + s.slice(i + 1), kind: 'substitute' };
  }
  if (r < 0.88) {
    const j = i < s.length - 1 ? i : i - 1;
    const a = s.charAt(j);
    const b = s.charAt(j + 1);
    if (a === b || !/\p{L}/u.test(b) || !/\p{L}/u.test(a)) return null;
    return { value: s.slice(0, j) + b + a + s.slice(j + 2), kind: 'transpose' };
  }
  const ins = rng.pick((NEIGHBOURS[lower] ?? 'e').split(''));
  return { value: s.slice(0, i + 1) + recase(ins) + s.slice(i + 1), kind: 'insert' };
}

/** Swaps two adjacent characters at a random position (a keyed digit transposition: 2150 → 2105). */
export function transposeDigits(s: string, rng: Rng): string | null {
  if (s.length < 2) return null;
  for (let tries = 0; tries < 4; tries++) {
    const i = rng.int(Math.min(1, s.length - 2), s.length - 2);
    const a = s.charAt(i);
    const b = s.charAt(i + 1);
    if (a !== b) return s.slice(0, i) + b + a + s.slice(i + 2);
  }
  return null;
}

/** Base-10 digits of n, left-padded with zeros to `width`. */
export function zeroPad(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}
