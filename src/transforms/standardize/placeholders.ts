// Values that mean "no value" in any field, compared lower-cased after normalizeText.
const NULL_TOKENS = new Set([
  'n/a', 'n / a', 'na', 'n.a.', 'n.a', 'n/d', 'nil', 'null', '(null)', '<null>', '[null]', 'none', '(none)',
  '<none>', 'nothing', 'unknown', '(unknown)', 'unk', 'tbd', 'tba', 'tbc', 'not applicable',
  'not available', 'not provided', 'not known', 'not given', 'unavailable', 'undefined', 'nan',
  '#n/a', '#value!', '#ref!', '#name?', 'x', 'xx', 'xxx', 'xxxx', 'xxxxx', 'blank', 'empty',
  'missing', 'k.a.', 'k. a.', 'keine angabe', 'unbekannt', 'inconnu', 'néant', 'desconocido',
  '不详', '不詳', '未知', '无', '無', '空', '暂无', '暫無', '没有', '沒有', '不明', 'なし', '無し',
]);
// Only punctuation and symbols: "-", "--", "?", "***", "#", "/".
const ONLY_SYMBOLS = /^[\p{P}\p{S} ]+$/u;

// First characters of the tokens: most values are rejected on their first character alone.
const INITIALS = new Set<number>();
for (const t of NULL_TOKENS) INITIALS.add(t.charCodeAt(0));

/** True when a normalized value is a stand-in for "no value" in any field. */
export function isNullToken(s: string): boolean {
  if (s.length > 16 || s.length === 0) return false;
  const c = s.charCodeAt(0);
  const isAsciiAlnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  if (isAsciiAlnum || c > 127) {
    if (!INITIALS.has(c | (c >= 65 && c <= 90 ? 0x20 : 0))) return false;
    return NULL_TOKENS.has(s.toLowerCase());
  }
  return NULL_TOKENS.has(s.toLowerCase()) || ONLY_SYMBOLS.test(s);
}
