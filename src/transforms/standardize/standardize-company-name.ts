import { ok, type TransformResult } from '../../core/issue.js';
import { rejectValue } from './issue-codes.js';
import { normalizeText } from './normalize-text.js';
import { isNullToken } from './placeholders.js';
import { splitWords } from './split-words.js';
import { capitalizeWord } from './proper-case.js';
import { CJK as CJK_MASK, scriptMask } from './script-mask.js';

const FIELD = 'company_name';

/**
 * Legal forms recognized at the end of a company name, as word keys (lower case, dots, commas
 * and brackets removed) and their canonical display form. Longer forms are tried first.
 */
export const LEGAL_FORMS: ReadonlyArray<readonly [readonly string[], string]> = (
  [
    [['gmbh', '&', 'co', 'kg'], 'GmbH & Co KG'],
    [['gmbh', 'und', 'co', 'kg'], 'GmbH & Co KG'],
    [['gmbh', 'and', 'co', 'kg'], 'GmbH & Co KG'],
    [['gesellschaft', 'mit', 'beschränkter', 'haftung'], 'GmbH'],
    [['gesellschaft', 'mit', 'beschrankter', 'haftung'], 'GmbH'],
    [['limited', 'liability', 'company'], 'LLC'],
    [['limited', 'liability', 'partnership'], 'LLP'],
    [['ug', 'haftungsbeschränkt'], 'UG (haftungsbeschränkt)'],
    [['sa', 'de', 'cv'], 'SA de CV'],
    [['proprietary', 'limited'], 'Pty Ltd'],
    [['pty', 'limited'], 'Pty Ltd'],
    [['pty', 'ltd'], 'Pty Ltd'],
    [['pte', 'ltd'], 'Pte Ltd'],
    [['pte', 'limited'], 'Pte Ltd'],
    [['private', 'limited'], 'Pvt Ltd'],
    [['pvt', 'ltd'], 'Pvt Ltd'],
    [['pvt', 'limited'], 'Pvt Ltd'],
    [['sdn', 'bhd'], 'Sdn Bhd'],
    [['co', 'ltd'], 'Co Ltd'],
    [['co', 'limited'], 'Co Ltd'],
    [['company', 'limited'], 'Co Ltd'],
    [['company', 'ltd'], 'Co Ltd'],
    [['kabushiki', 'kaisha'], 'KK'],
    [['limited', 'partnership'], 'LP'],
    [['ltd'], 'Ltd'],
    [['limited'], 'Ltd'],
    [['inc'], 'Inc'],
    [['incorporated'], 'Inc'],
    [['corp'], 'Corp'],
    [['corporation'], 'Corp'],
    [['llc'], 'LLC'],
    [['llp'], 'LLP'],
    [['lp'], 'LP'],
    [['plc'], 'PLC'],
    [['pty'], 'Pty'],
    [['gmbh'], 'GmbH'],
    [['ag'], 'AG'],
    [['aktiengesellschaft'], 'AG'],
    [['kg'], 'KG'],
    [['ohg'], 'OHG'],
    [['ug'], 'UG'],
    [['ev'], 'e.V.'],
    [['sa'], 'SA'],
    [['sas'], 'SAS'],
    [['sarl'], 'SARL'],
    [['sàrl'], 'SARL'],
    [['spa'], 'SpA'],
    [['srl'], 'Srl'],
    [['bv'], 'BV'],
    [['nv'], 'NV'],
    [['ab'], 'AB'],
    [['a/s'], 'A/S'],
    [['asa'], 'ASA'],
    [['oy'], 'Oy'],
    [['oyj'], 'Oyj'],
    [['kk'], 'KK'],
    [['bhd'], 'Bhd'],
    [['ltda'], 'Ltda'],
    [['co'], 'Co'],
    [['company'], 'Co'],
  ] as const
).slice().sort((a, b) => b[0].length - a[0].length);

// CJK legal forms, longest first; removed by the match key, kept in the display form.
const CJK_LEGAL_FORMS = [
  '股份有限公司', '有限责任公司', '有限責任公司', '有限公司', '股份公司', '株式会社', '有限会社',
  '合同会社', '合資会社', '合名会社', '(株)', '(有)', '公司', '주식회사', '(주)', '유한회사',
];

const TOKEN_KEY_NOISE = /[.,()]/g;
// Spaces next to Han or kana go (Chinese and Japanese do not space words); Korean keeps its spaces.
const CJK_SPACE = /(?<=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana})）])\s+|\s+(?=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}(（])/gu;
const HAS_LOWER = /\p{Ll}/u;
const HAS_VOWEL = /[aeiouyäöüéèáàíóú]/i;
const HAS_DIGIT_OR_SYMBOL = /[\d&@+/]/;
const SMALL_WORDS = new Set(['and', 'of', 'the', 'for', 'in', 'on', 'at', 'de', 'la', 'du', 'des', 'und', 'der', 'van', 'von']);

const TOKEN_KEY_NOISE_TEST = /[.,()]/;
const MAX_FORM_WORDS = Math.max(...LEGAL_FORMS.map(([form]) => form.length));

/** Whether the letters of a text are all upper case, or all lower case. */
function letterCase(s: string): { allCaps: boolean; allLower: boolean } {
  let upper = false;
  let lower = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) upper = true;
    else if (c >= 97 && c <= 122) lower = true;
    else if (c > 127) {
      return { allCaps: !HAS_LOWER.test(s), allLower: s.toUpperCase() !== s && s.toLowerCase() === s };
    }
  }
  return { allCaps: !lower, allLower: lower && !upper };
}

const tokenKey = (t: string): string => (TOKEN_KEY_NOISE_TEST.test(t) ? t.toLowerCase().replace(TOKEN_KEY_NOISE, '') : t.toLowerCase());

// Legal forms indexed by their last word, longest first within each list.
const FORMS_BY_LAST_WORD = new Map<string, Array<readonly [readonly string[], string]>>();
for (const entry of LEGAL_FORMS) {
  const last = entry[0][entry[0].length - 1] ?? '';
  const list = FORMS_BY_LAST_WORD.get(last) ?? [];
  list.push(entry);
  FORMS_BY_LAST_WORD.set(last, list);
}

/**
 * Finds the longest legal form at the end of a name; returns its length in words and its display
 * form. `keys` are the word keys of the name's last words; `total` is the name's word count.
 */
function legalFormAtEnd(keys: readonly string[], total = keys.length): { length: number; display: string } | undefined {
  const candidates = FORMS_BY_LAST_WORD.get(keys[keys.length - 1] ?? '');
  if (candidates === undefined) return undefined;
  for (const [form, display] of candidates) {
    if (form.length >= total || form.length > keys.length) continue; // a name needs a body
    let match = true;
    for (let i = 0; i < form.length; i++) {
      if (keys[keys.length - form.length + i] !== form[i]) {
        match = false;
        break;
      }
    }
    if (match) return { length: form.length, display };
  }
  return undefined;
}

/** Cases one word of a company name written all in capitals or all in lower case. */
function caseCompanyWord(word: string, first: boolean, allCaps: boolean): string {
  if (HAS_DIGIT_OR_SYMBOL.test(word)) return word;
  const lower = word.toLowerCase();
  if (!first && SMALL_WORDS.has(lower)) return lower;
  // In an all-caps name, short or vowel-less words are acronyms: IBM, BHP, HSBC, KPMG.
  if (allCaps && (word.length <= 3 || !HAS_VOWEL.test(word))) return word;
  return capitalizeWord(word);
}

/**
 * Standardizes a company name for display: normalized text, the legal form at the end written
 * one way ({@link LEGAL_FORMS}: "Pty. Limited" → "Pty Ltd", "Co., Ltd." → "Co Ltd",
 * "Incorporated" → "Inc", "G.m.b.H." → "GmbH"), the comma before it dropped ("Acme, Inc." →
 * "Acme Inc"). Casing: a name written all in capitals or all in lower case is proper-cased, with
 * short or vowel-less words of an all-caps name kept as acronyms ("IBM AUSTRALIA PTY LTD" →
 * "IBM Australia Pty Ltd"); a mixed-case name keeps its casing (eBay, McKinsey). CJK names lose
 * the spaces next to Han and kana characters (Korean keeps its spaces) and keep their legal form
 * (有限公司, 株式会社, 주식회사) as written.
 * Rejects VALUE_PLACEHOLDER. Issues use the path `company_name`.
 */
export function standardizeCompanyName(value: string): TransformResult<string> {
  const s = normalizeText(value);
  if (s === '') return rejectValue(FIELD, 'VALUE_EMPTY', 'The company name is empty.');
  if (isNullToken(s)) return rejectValue(FIELD, 'VALUE_PLACEHOLDER', 'The value is a placeholder, not a company name.');
  if (scriptMask(s) & CJK_MASK) return ok(s.indexOf(' ') < 0 ? s : s.replace(CJK_SPACE, ''));

  // "Co.,Ltd." and "Acme,Inc." need a space after the comma to split into words.
  const tokens = splitWords(s.indexOf(',') < 0 ? s : s.replace(/,(?=\S)/g, ', '));
  const tail = tokens.length > MAX_FORM_WORDS ? tokens.slice(tokens.length - MAX_FORM_WORDS) : tokens;
  const legal = legalFormAtEnd(tail.map(tokenKey), tokens.length);
  const body = legal === undefined ? tokens : tokens.slice(0, tokens.length - legal.length);
  const last = body.length - 1;
  if (last >= 0 && (body[last] ?? '').endsWith(',')) body[last] = (body[last] ?? '').replace(/,+$/, '');

  const letters = body.join(' ');
  const { allCaps, allLower } = letterCase(letters);
  let display: string;
  if (allCaps || allLower) {
    display = body.map((w, i) => caseCompanyWord(w, i === 0, allCaps)).join(' ');
  } else {
    display = body.join(' ');
  }
  return ok(legal === undefined ? display : display + ' ' + legal.display);
}

const LATIN_MARKS = /[\u0300-\u036f]/g;
const NON_WORD = /[^\p{L}\p{N}&/ ]+/gu;
const KEY_SPACES = / {2,}/g;

/**
 * A key under which spellings of one company compare equal; not for display. Lower case,
 * accents folded, "&" and "+" read as "and", punctuation removed, every legal form at the end
 * removed (repeatedly: "Holdings Pty. Ltd." → "holdings"), a leading "the" removed. CJK names:
 * spaces and legal forms (有限公司, 股份有限公司, 株式会社, (株), 公司) removed, brackets kept out but
 * their content kept ("华为技术(深圳)有限公司" → "华为技术深圳").
 */
export function companyMatchKey(name: string): string {
  const s = normalizeText(name);
  if (scriptMask(s) & CJK_MASK) {
    let t = s.replace(/\s+/g, '');
    for (let changed = true; changed; ) {
      changed = false;
      for (const form of CJK_LEGAL_FORMS) {
        if (t.length > form.length && (t.endsWith(form) || t.startsWith(form))) {
          t = t.endsWith(form) ? t.slice(0, -form.length) : t.slice(form.length);
          changed = true;
        }
      }
    }
    return t.replace(/[()（）[\]【】「」]/g, '').toLowerCase();
  }
  let t = s.toLowerCase();
  if (/[^\x00-\x7f]/.test(t)) t = t.normalize('NFD').replace(LATIN_MARKS, '').normalize('NFC');
  t = t
    .replace(/[.]/g, '')
    .replace(/[&+]/g, ' and ')
    .replace(NON_WORD, ' ')
    .replace(KEY_SPACES, ' ')
    .trim();
  const words = splitWords(t);
  for (let legal = legalFormAtEnd(words); legal !== undefined; legal = legalFormAtEnd(words)) {
    if (words.length - legal.length === 1 && words[0] === 'the') break; // "The Company"
    words.length -= legal.length;
    while (words.length > 1 && words[words.length - 1] === 'and') words.length--;
  }
  if (words.length > 1 && words[0] === 'the') words.shift();
  return words.join(' ');
}
