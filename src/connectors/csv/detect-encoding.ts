/**
 * Text-encoding detection for delimited files: byte-order mark first, then "is it valid UTF-8",
 * then a legacy-encoding guess.
 *
 * Why not chardet alone: on the short samples customer exports often are (a few hundred
 * names), chardet ties Shift_JIS with Big5 and GB18030 at 10/100 and calls a GBK file with two
 * Chinese names ISO-8859-1. So every candidate is also decoded and the result scored for
 * plausibility (are the characters the common ones of that script, do accented letters sit
 * inside Latin words, are there undecodable bytes), and chardet's confidence only adds to that
 * score. The confidence reported combines the plausibility, the margin over the best
 * candidate that would give a different text, and the amount of evidence (how many non-ASCII
 * characters the sample holds): a guess from two names is reported as low, whatever it is.
 */
import { analyse } from 'chardet';
import iconv from 'iconv-lite';

/** How the encoding was decided. */
export type EncodingSource = 'option' | 'bom' | 'utf-8' | 'ascii' | 'utf-16-pattern' | 'detector';

export interface EncodingCandidate {
  encoding: string;
  /** Plausibility of the decoded sample, 0–100. */
  score: number;
}

export interface DetectedEncoding {
  /** An iconv-lite encoding name, lower case (utf-8, utf-16le, gb18030, big5, shift_jis, windows-1252, …). */
  encoding: string;
  /** 0–100; below {@link LOW_CONFIDENCE} the guess is reported as uncertain. */
  confidence: number;
  source: EncodingSource;
  /** Bytes of a byte-order mark to skip (0 when there is none). */
  bomLength: number;
  /** Other encodings considered, best first, when the detector decided. */
  candidates: EncodingCandidate[];
}

/** Confidence below which a guessed encoding is reported as uncertain. */
export const LOW_CONFIDENCE = 60;

/** Encoding named by a byte-order mark, and the mark's length. */
export function detectBom(head: Uint8Array): { encoding: string; length: number } | null {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return null;
}

/** iconv-lite's canonical form of an encoding name: `UTF8`, `utf-8` and `utf_8` are one name. */
export function canonicalEncoding(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

// ---------------------------------------------------------------------------------------------
// Character classes per script, derived from the encodings' own layout: the "level 1" blocks of
// GB2312, Big5 and JIS X 0208 are the commonly used characters of each script. A wrong decoding
// lands in them only by chance, and a right one almost always does.

type Weights = Map<number, number>;

function addBlock(w: Weights, enc: string, leads: [number, number], trails: readonly [number, number][], weight: number): void {
  // One decode per block, each pair followed by a line feed: an invalid pair can then only
  // spoil itself, never borrow a byte of its neighbour.
  const bytes: number[] = [];
  for (let l = leads[0]; l <= leads[1]; l++) {
    for (const [t0, t1] of trails) for (let t = t0; t <= t1; t++) bytes.push(l, t, 0x0a);
  }
  for (const line of iconv.decode(Buffer.from(bytes), enc).split('\n')) {
    const cp = line.length === 1 ? line.codePointAt(0)! : -1;
    if (cp > 0x7f && cp !== 0xfffd && (cp < 0xe000 || cp > 0xf8ff) && !w.has(cp)) w.set(cp, weight);
  }
}

const profiles = new Map<string, Weights>();

/** Per-character weights of a script profile, built once on first use (a few ms). */
function profile(name: 'zh-hans' | 'zh-hant' | 'ja' | 'ko'): Weights {
  let w = profiles.get(name);
  if (w) return w;
  w = new Map();
  const gr: [number, number][] = [[0xa1, 0xfe]];
  const sjisTrail: [number, number][] = [
    [0x40, 0x7e],
    [0x80, 0xfc],
  ];
  switch (name) {
    case 'zh-hans':
      addBlock(w, 'gbk', [0xb0, 0xd7], gr, 1); // GB2312 level 1: 3,755 common hanzi
      addBlock(w, 'gbk', [0xd8, 0xf7], gr, 0.6); // level 2
      addBlock(w, 'gbk', [0xa1, 0xa3], gr, 0.7); // punctuation, full-width forms
      addBlock(w, 'gbk', [0xa8, 0xa8], gr, 0.5); // pinyin letters: é, ü, à… in Latin names
      break;
    case 'zh-hant':
      addBlock(w, 'big5', [0xa4, 0xc6], [[0x40, 0x7e], [0xa1, 0xfe]], 1); // 常用字: 5,401 common
      addBlock(w, 'big5', [0xc9, 0xf9], [[0x40, 0x7e], [0xa1, 0xfe]], 0.5); // 次常用字
      addBlock(w, 'big5', [0xa1, 0xa3], [[0x40, 0x7e], [0xa1, 0xfe]], 0.7); // punctuation
      break;
    case 'ja':
      addBlock(w, 'shift_jis', [0x82, 0x83], sjisTrail, 1); // kana
      addBlock(w, 'shift_jis', [0x88, 0x98], sjisTrail, 1); // JIS level 1 kanji
      addBlock(w, 'shift_jis', [0x99, 0x9f], sjisTrail, 0.5); // level 2
      addBlock(w, 'shift_jis', [0xe0, 0xea], sjisTrail, 0.5);
      addBlock(w, 'shift_jis', [0x81, 0x81], sjisTrail, 0.7); // punctuation, full-width forms
      for (let cp = 0xff61; cp <= 0xff9f; cp++) w.set(cp, 0.6); // half-width katakana
      break;
    case 'ko':
      addBlock(w, 'euc-kr', [0xb0, 0xc8], gr, 1); // KS X 1001 hangul
      addBlock(w, 'euc-kr', [0xca, 0xfd], gr, 0.3); // hanja
      addBlock(w, 'euc-kr', [0xa1, 0xa3], gr, 0.7);
      break;
  }
  profiles.set(name, w);
  return w;
}

const LATIN_PUNCT = new Set([...'’‘“”„–—…€«»°·×§©®™£¥¿¡¢±µ¶ºª¹²³½¼¾']);
const isAsciiLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const LETTER = /\p{L}/u;
const UPPER = /\p{Lu}/u;
const LOWER = /\p{Ll}/u;

interface Plausibility {
  /** Mean weight per non-ASCII character, about -2 … 1. */
  p: number;
  /** Non-ASCII characters seen. */
  n: number;
}

/** How much a decoded sample looks like real text of the candidate's script. */
function scoreText(text: string, script: 'zh-hans' | 'zh-hant' | 'ja' | 'ko' | 'latin'): Plausibility {
  const w = script === 'latin' ? null : profile(script);
  let sum = 0;
  let n = 0;
  const chars = Array.from(text);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) {
      if (cp < 0x20 && cp !== 9 && cp !== 10 && cp !== 13) {
        n++;
        sum -= 1;
      }
      continue;
    }
    n++;
    if (cp === 0xfffd) {
      sum -= 2;
      continue;
    }
    if (cp <= 0x9f || (cp >= 0xe000 && cp <= 0xf8ff)) {
      sum -= 1; // C1 controls, private use: what undefined bytes turn into
      continue;
    }
    if (w) {
      const prev = chars[i - 1]?.codePointAt(0) ?? 32;
      const next = chars[i + 1]?.codePointAt(0) ?? 32;
      if (isAsciiLetter(prev) && isAsciiLetter(next)) {
        // Inside a Latin word ("M?ller"): an accented letter is plausible, an ideograph is not.
        sum += cp < 0x2000 && LETTER.test(ch) ? 1 : 0;
        continue;
      }
      sum += w.get(cp) ?? 0;
      continue;
    }
    if (LATIN_PUNCT.has(ch)) {
      sum += 0.5;
    } else if (LETTER.test(ch)) {
      const prev = chars[i - 1]?.codePointAt(0) ?? 32;
      const next = chars[i + 1]?.codePointAt(0) ?? 32;
      const prevCh = chars[i - 1] ?? ' ';
      if (UPPER.test(ch) && LOWER.test(prevCh)) sum += 0; // "aÉ": not how words are written
      else if (isAsciiLetter(prev) || isAsciiLetter(next)) sum += 1; // "Müller", "Renée"
      else if (prev < 0x80 && next < 0x80) sum += 0.5; // "à" alone
      else sum += 0.3; // runs of accented letters: mostly legacy CJK bytes read as Latin
    }
  }
  return { p: n ? sum / n : 1, n };
}

interface CandidateDef {
  encoding: string;
  script: 'zh-hans' | 'zh-hant' | 'ja' | 'ko' | 'latin';
  /** Candidates of one family decode most texts the same way; only other families compete. */
  family: string;
}

/** Always tried: the legacy encodings customer exports actually come in. */
const CORE: readonly CandidateDef[] = [
  { encoding: 'gb18030', script: 'zh-hans', family: 'gb' },
  { encoding: 'big5', script: 'zh-hant', family: 'big5' },
  { encoding: 'shift_jis', script: 'ja', family: 'sjis' },
  { encoding: 'windows-1252', script: 'latin', family: 'sbcs' },
];

/** chardet's names → iconv-lite's, with the profile to score them by; tried when chardet proposes them. */
const FROM_CHARDET: Readonly<Record<string, CandidateDef>> = {
  'GB18030': CORE[0]!,
  'Big5': CORE[1]!,
  'Shift_JIS': CORE[2]!,
  'windows-1252': CORE[3]!,
  // Latin-1's 0x80–0x9F are C1 controls no real text holds; windows-1252 puts € ’ “ ” there
  // (the WHATWG encoding standard makes the same substitution).
  'ISO-8859-1': CORE[3]!,
  'EUC-JP': { encoding: 'euc-jp', script: 'ja', family: 'eucjp' },
  'EUC-KR': { encoding: 'euc-kr', script: 'ko', family: 'euckr' },
  'ISO-8859-2': { encoding: 'iso-8859-2', script: 'latin', family: 'sbcs' },
  'windows-1250': { encoding: 'windows-1250', script: 'latin', family: 'sbcs' },
  'windows-1251': { encoding: 'windows-1251', script: 'latin', family: 'sbcs-cyr' },
  'ISO-8859-5': { encoding: 'iso-8859-5', script: 'latin', family: 'sbcs-cyr' },
  'KOI8-R': { encoding: 'koi8-r', script: 'latin', family: 'sbcs-cyr' },
  'ISO-8859-7': { encoding: 'iso-8859-7', script: 'latin', family: 'sbcs-el' },
  'windows-1253': { encoding: 'windows-1253', script: 'latin', family: 'sbcs-el' },
  'ISO-8859-9': { encoding: 'iso-8859-9', script: 'latin', family: 'sbcs' },
  'windows-1254': { encoding: 'windows-1254', script: 'latin', family: 'sbcs' },
};
/** chardet's confidence a non-core proposal needs to be tried at all. */
const CHARDET_PROPOSAL = 30;
/** Weight of chardet's confidence (0–1) in a candidate's rank. */
const CHARDET_WEIGHT = 0.3;

/** Cuts a sample that stops mid-file at its last line break, so no character is split. */
function wholeLines(sample: Uint8Array, truncated: boolean): Uint8Array {
  if (!truncated) return sample;
  const eol = sample.lastIndexOf(0x0a);
  return eol > 0 ? sample.subarray(0, eol + 1) : sample;
}

function isAscii(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i]! >= 0x80) return false;
  return true;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
function isValidUtf8(b: Uint8Array): boolean {
  try {
    strictUtf8.decode(b);
    return true;
  } catch {
    return false;
  }
}

/** UTF-16 without a BOM: ASCII-range text has a zero in every other byte. */
function utf16Pattern(b: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const len = Math.min(b.length, 4096) & ~1;
  if (len < 8) return null;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < len; i += 2) {
    if (b[i] === 0) evenZero++;
    if (b[i + 1] === 0) oddZero++;
  }
  const pairs = len / 2;
  if (oddZero > pairs * 0.4 && evenZero < pairs * 0.05) return 'utf-16le';
  if (evenZero > pairs * 0.4 && oddZero < pairs * 0.05) return 'utf-16be';
  return null;
}

/**
 * Detects the encoding of the start of a file. `truncated` says the sample is not the whole
 * file (its last line may be cut). Order: BOM; UTF-16 by its zero-byte pattern; plain ASCII
 * (read as UTF-8); valid UTF-8; otherwise the most plausible legacy encoding.
 */
export function detectEncoding(sample: Uint8Array, opts: { truncated?: boolean } = {}): DetectedEncoding {
  const bom = detectBom(sample);
  if (bom) return { encoding: bom.encoding, confidence: 100, source: 'bom', bomLength: bom.length, candidates: [] };
  const u16 = utf16Pattern(sample);
  if (u16) return { encoding: u16, confidence: 80, source: 'utf-16-pattern', bomLength: 0, candidates: [] };
  const body = wholeLines(sample, opts.truncated ?? false);
  if (isAscii(body)) return { encoding: 'utf-8', confidence: 100, source: 'ascii', bomLength: 0, candidates: [] };
  if (isValidUtf8(body)) return { encoding: 'utf-8', confidence: 100, source: 'utf-8', bomLength: 0, candidates: [] };
  return guessLegacyEncoding(body);
}

function guessLegacyEncoding(body: Uint8Array): DetectedEncoding {
  const chardet = new Map<string, number>();
  for (const m of analyse(body)) {
    const def = FROM_CHARDET[m.name];
    if (def && !chardet.has(def.encoding)) chardet.set(def.encoding, m.confidence);
  }
  const defs = new Map<string, CandidateDef>(CORE.map((d) => [d.encoding, d]));
  for (const m of analyse(body)) {
    const def = FROM_CHARDET[m.name];
    if (def && m.confidence >= CHARDET_PROPOSAL) defs.set(def.encoding, def);
  }
  const scored = [...defs.values()].map((def, order) => {
    const text = iconv.decode(Buffer.from(body.buffer, body.byteOffset, body.byteLength), def.encoding);
    const { p, n } = scoreText(text, def.script);
    // Core order breaks exact ties: gb18030, big5, shift_jis, windows-1252.
    const rank = p + CHARDET_WEIGHT * ((chardet.get(def.encoding) ?? 0) / 100) - order * 1e-6;
    return { def, text, p, n, rank };
  });
  scored.sort((a, b) => b.rank - a.rank);
  const best = scored[0]!;
  const rival = scored.find((s) => s.def.family !== best.def.family && s.text !== best.text);
  // Evidence: a verdict from a handful of characters is a coin toss, however clean it looks.
  const evidence = Math.min(1, Math.sqrt(best.n / 24));
  const margin = rival ? Math.min(1, Math.max(0, 0.4 + 1.5 * (best.rank - rival.rank))) : 1;
  const confidence = Math.round(100 * Math.max(0, Math.min(1, best.p)) * evidence * margin);
  return {
    encoding: best.def.encoding,
    confidence,
    source: 'detector',
    bomLength: 0,
    candidates: scored.map((s) => ({ encoding: s.def.encoding, score: Math.round(100 * Math.max(0, Math.min(1, s.p))) })),
  };
}

/**
 * How plausible a sample looks decoded as `encoding`, whatever the script: the best mean
 * character weight over the script profiles, about -2 … 1 (pure ASCII: 1). Used to tell
 * whether a configured encoding gives sensible text where the detector prefers another.
 */
export function textPlausibility(sample: Uint8Array, encoding: string): number {
  const text = iconv.decode(Buffer.from(sample.buffer, sample.byteOffset, sample.byteLength), encoding);
  let best = -Infinity;
  for (const script of ['latin', 'zh-hans', 'zh-hant', 'ja', 'ko'] as const) best = Math.max(best, scoreText(text, script).p);
  return best;
}
