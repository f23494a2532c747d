import * as OpenCC from 'opencc-js';

const HAN = /[\u3400-\u4dbf\u4e00-\u9fff]/;
const KANA = /[\u3040-\u30ff]/;
const toSimplified = OpenCC.Converter({ from: 'hk', to: 'cn' });
// Spaces between Chinese characters, or between a character and a number, carry no meaning.
const INNER_SPACE = /(?<=[\u3400-\u4dbf\u4e00-\u9fff\d])\s+(?=[\u3400-\u4dbf\u4e00-\u9fff\d])/g;
// Common spelled-out or variant unit words brought to one form.
const VARIANTS: [RegExp, string][] = [
  [/號/g, '号'],
  [/(\d+)\s*号\s*楼/g, '$1号楼'],
  [/(\d+)\s*室/g, '$1室'],
  [/#(\d+)/g, '$1号'],
];

/**
 * One form for a Chinese address: simplified characters (廣州市天河區 → 广州市天河区), full-width
 * digits already half-width (NFKC, upstream), no spaces between the parts (省 市 区 路 号), and
 * 號/# as 号. Text without Chinese characters, or Japanese, is returned unchanged.
 */
export function normalizeChineseAddress(s: string, country?: string): string {
  // Japanese (kana, or a JP/KR address) keeps its own characters: 東京 is not 东京.
  if (!HAN.test(s) || KANA.test(s) || country === 'JP' || country === 'KR') return s;
  let out = toSimplified(s).replace(INNER_SPACE, '');
  for (const [re, to] of VARIANTS) out = out.replace(re, to);
  return out;
}
