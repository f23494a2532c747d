import * as OpenCC from 'opencc-js';
import { pinyin } from 'pinyin-pro';

const HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
/** Traditional (Taiwan, Hong Kong) to simplified characters, so that 張偉 and 张伟 compare equal. */
const toSimplified = OpenCC.Converter({ from: 'hk', to: 'cn' });

const cache = new Map<string, string>();

/** True when the text holds Chinese characters. */
export function hasHan(s: string): boolean {
  return HAN.test(s);
}

/**
 * A Chinese name as its toneless pinyin, letters only ("張偉" → "zhangwei" when `surname`
 * is false; family names read with surname pronunciations, 单 → "shan"). Text without Chinese
 * characters is returned unchanged. Cached: names repeat.
 */
export function romanizeHan(name: string, surname: boolean): string {
  if (!hasHan(name)) return name;
  const k = (surname ? 's' : 'g') + name;
  let v = cache.get(k);
  if (v === undefined) {
    const simplified = toSimplified(name);
    v = pinyin(simplified, { toneType: 'none', type: 'array', nonZh: 'consecutive', ...(surname ? { surname: 'head' as const } : {}) })
      .join('')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '');
    if (cache.size > 200_000) cache.clear();
    cache.set(k, v);
  }
  return v;
}
