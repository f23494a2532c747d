// Shared casing rules for names, street lines, cities and company names (internal module).

// Gaelic "Mac" surnames: a closed list, because a "Mac" prefix rule would break Mack, Macy, Machado.
const MAC_NAMES = new Set([
  'macallister', 'macarthur', 'macaskill', 'macaulay', 'macbeth', 'maccallum', 'maccormack',
  'macdonald', 'macdonnell', 'macdougall', 'macewan', 'macfarlane', 'macgillivray', 'macgregor',
  'macinnes', 'macintosh', 'macintyre', 'mackay', 'mackenzie', 'mackinnon', 'mackintosh',
  'maclachlan', 'maclean', 'maclennan', 'macleod', 'macmahon', 'macmillan', 'macnab',
  'macnamara', 'macneil', 'macneill', 'macpherson', 'macquarie', 'macquarrie', 'macrae',
]);

/**
 * Lower-case name particles, kept lower case inside a multi-word family name or place name
 * (van der Berg, de la Cruz, Frankfurt am Main) unless they are the last word.
 */
export const PARTICLES = new Set([
  'van', 'von', 'der', 'den', 'de', 'del', 'della', 'delle', 'dei', 'des', 'di', 'da', 'das', 'do',
  'dos', 'du', 'la', 'le', 'ter', 'ten', 'te', 'vom', 'zu', 'zum', 'zur', 'y', 'bin', 'binti',
  'bint', 'ibn', 'af', 'av',
]);

const HAS_UPPER_AFTER_FIRST = /^.[^]*\p{Lu}/u;
const HAS_LOWER = /\p{Ll}/u;

/**
 * True when a token's casing looks deliberate and should be kept: an upper-case letter after the
 * first one together with lower-case letters (McDonald, DeVries, MacLeod). All-caps, all-lower
 * and plain Capitalized tokens are re-cased.
 */
export function isDeliberatelyCased(token: string): boolean {
  let upperAfterFirst = false;
  let lower = false;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c >= 97 && c <= 122) lower = true;
    else if (c >= 65 && c <= 90) upperAfterFirst ||= i > 0;
    else if (c > 127) return HAS_UPPER_AFTER_FIRST.test(token) && HAS_LOWER.test(token);
  }
  return upperAfterFirst && lower;
}

function upperFirst(s: string): string {
  return s.length === 0 ? s : s.charAt(0).toUpperCase() + s.slice(1);
}

function capitalizePart(lower: string): string {
  if (lower.length === 0) return lower;
  const c0 = lower.charCodeAt(0);
  // Common case: a plain word that none of the special rules below can touch.
  if (c0 !== 109 /* m */ && c0 !== 105 /* i */ && lower.indexOf("'") < 0) return upperFirst(lower);
  const apostrophe = lower.indexOf("'");
  if (apostrophe > 0 && apostrophe < lower.length - 1) {
    // O'Brien, D'Angelo (one-letter prefix: capitalize after the apostrophe); Ng'ang'a stays.
    const segs = lower.split("'");
    let out = capitalizePart(segs[0] ?? '');
    for (let i = 1; i < segs.length; i++) {
      const seg = segs[i] ?? '';
      out += "'" + ((segs[i - 1] ?? '').length === 1 ? capitalizePart(seg) : seg);
    }
    return out;
  }
  if (lower.length > 3 && lower.startsWith('mc')) return 'Mc' + upperFirst(lower.slice(2));
  if (lower.length > 5 && MAC_NAMES.has(lower)) return 'Mac' + upperFirst(lower.slice(3));
  if (lower.length > 2 && lower.startsWith('ij')) return 'IJ' + lower.slice(2);
  return upperFirst(lower);
}

/** "Smith": an ASCII capital, then ASCII lower case only, and no Mc/Mac/IJ rule can apply. */
function isPlainCapitalized(word: string): boolean {
  const c0 = word.charCodeAt(0);
  if (c0 < 65 || c0 > 90 || c0 === 77 /* M */ || c0 === 73 /* I */) return false;
  for (let i = 1; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c < 97 || c > 122) return false;
  }
  return true;
}

/**
 * Proper-cases one word of a name: hyphenated parts each capitalized (Smith-Jones), Mc/Mac
 * (McDonald, MacLeod), O'/D' (O'Brien), Dutch IJ (IJzerman). A deliberately cased word is kept.
 */
export function capitalizeWord(word: string): string {
  if (isPlainCapitalized(word)) return word;
  if (word.indexOf('-') < 0) return isDeliberatelyCased(word) ? word : capitalizePart(word.toLowerCase());
  return word
    .split('-')
    .map((part) => (isDeliberatelyCased(part) ? part : capitalizePart(part.toLowerCase())))
    .join('-');
}
