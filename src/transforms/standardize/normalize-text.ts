// Printable ASCII with single inner spaces needs no work: the common case returns at once.
const NEEDS_WORK = /[^\x21-\x7e ]|^ | $| {2}/;
const NON_ASCII = /[^\x00-\x7f]/;
// Invisible format characters: soft hyphen, zero-width space, LRM/RLM, bidi embeddings and
// isolates, word joiner, BOM. ZWJ/ZWNJ (U+200C/D) are kept: they change how some scripts read.
const INVISIBLE = /[\u00ad\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
// C0/C1 controls (tabs, line breaks from multi-line cells) become spaces, then collapse.
const CONTROL_OR_SPACE = /[\s\x00-\x1f\x7f-\x9f]+/g;

/**
 * Normalizes any text value before field rules run: Unicode NFKC (full-width letters, digits and
 * punctuation become their ASCII forms, ligatures split, the ideographic space becomes a space),
 * invisible format characters removed, control characters and every run of whitespace collapsed
 * to one space, trimmed. Idempotent and allocation-free for already clean ASCII.
 *
 * @example normalizeText('  ＡＢＣ　１２３\t') // 'ABC 123'
 */
export function normalizeText(s: string): string {
  if (!NEEDS_WORK.test(s)) return s;
  let t = NON_ASCII.test(s) ? s.normalize('NFKC').replace(INVISIBLE, '') : s;
  t = t.replace(CONTROL_OR_SPACE, ' ');
  // A trim after the collapse leaves at most one leading/trailing space to drop.
  return t.trim();
}
