// Invisible format characters: soft hyphen, zero-width space, LRM/RLM, bidi embeddings and
// isolates, word joiner, BOM. ZWJ/ZWNJ (U+200C/D) are kept: they change how some scripts read.
const INVISIBLE = /[\u00ad\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
// C0/C1 controls (tabs, line breaks from multi-line cells) become spaces, then collapse.
const CONTROL_OR_SPACE = /[\s\x00-\x1f\x7f-\x9f]+/g;

/**
 * True for characters that NFKC leaves unchanged and that need no other treatment: precomposed
 * Latin letters, CJK unified ideographs, Hangul syllables, kana, 々, 〇 and the middle dot. It is
 * a whitelist: anything else (full-width forms, compatibility characters, combining marks,
 * unusual spaces) goes through the full normalization.
 */
function isStable(c: number): boolean {
  if (c >= 0x4e00 && c <= 0x9fff) return true;
  if (c >= 0xc0 && c <= 0xff) return true;
  if (c >= 0x100 && c <= 0x17f) return c !== 0x132 && c !== 0x133 && c !== 0x13f && c !== 0x140 && c !== 0x149 && c !== 0x17f;
  if (c >= 0xac00 && c <= 0xd7a3) return true;
  if ((c >= 0x3041 && c <= 0x3096) || (c >= 0x30a1 && c <= 0x30fc)) return true;
  return c === 0x3005 || c === 0x3007 || c === 0xb7;
}

/**
 * Normalizes any text value before field rules run: Unicode NFKC (full-width letters, digits and
 * punctuation become their ASCII forms, ligatures split, the ideographic space becomes a space),
 * invisible format characters removed, control characters and every run of whitespace collapsed
 * to one space, trimmed. Idempotent; returns its input unchanged (no allocation) when there is
 * nothing to do, which one pass over the characters decides.
 *
 * @example normalizeText('  ＡＢＣ　１２３\t') // 'ABC 123'
 */
export function normalizeText(s: string): string {
  let nfkc = false;
  let spaces = false;
  let previousSpace = true; // a leading space needs trimming
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32) {
      if (previousSpace) spaces = true;
      previousSpace = true;
    } else {
      previousSpace = false;
      if (c < 32 || c === 127) spaces = true;
      else if (c > 127 && !isStable(c)) nfkc = true;
    }
  }
  if (previousSpace && s.length > 0) spaces = true; // a trailing space
  if (!nfkc && !spaces) return s;
  const t = nfkc ? s.normalize('NFKC').replace(INVISIBLE, '') : s;
  return t.replace(CONTROL_OR_SPACE, ' ').trim();
}
