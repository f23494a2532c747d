// Which writing systems a text uses, by code-point ranges (internal module). A loop over char
// codes is several times faster than Unicode property escapes (\p{Script=Han}) on short strings.

export const LATIN = 1;
export const HAN = 2;
export const KANA = 4;
export const HANGUL = 8;
/** Letters of other scripts (Cyrillic, Greek, Arabic, …). */
export const OTHER_LETTER = 16;
export const DIGIT = 32;
export const CJK = HAN | KANA | HANGUL;

/** Bit set of the scripts in `s` (LATIN, HAN, KANA, HANGUL, OTHER_LETTER, DIGIT). */
export function scriptMask(s: string): number {
  let mask = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 128) {
      if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) mask |= LATIN;
      else if (c >= 48 && c <= 57) mask |= DIGIT;
    } else if (c >= 0x4e00 && c <= 0x9fff) mask |= HAN;
    else if (c <= 0x24f) {
      if (c >= 0xc0 && c !== 0xd7 && c !== 0xf7) mask |= LATIN;
    } else if (c >= 0x3040 && c <= 0x30ff) mask |= c === 0x30fb ? 0 : KANA;
    else if (c >= 0xac00 && c <= 0xd7af) mask |= HANGUL;
    else if ((c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff) || c === 0x3005 || c === 0x3007) mask |= HAN;
    else if (c >= 0xd800 && c <= 0xdbff) mask |= HAN; // supplementary planes: CJK extensions B–G
    else if ((c >= 0x1100 && c <= 0x11ff) || (c >= 0x3130 && c <= 0x318f)) mask |= HANGUL;
    else if (c >= 0x1e00 && c <= 0x1eff) mask |= LATIN;
    else if (c >= 0x370 && c !== 0xb7 && !(c >= 0x2000 && c <= 0x2bff) && !(c >= 0x3000 && c <= 0x303f) && !(c >= 0xff00 && c <= 0xffef) && !(c >= 0xdc00 && c <= 0xdfff)) mask |= OTHER_LETTER;
  }
  return mask;
}
