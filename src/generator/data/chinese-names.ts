/**
 * Chinese names in the forms customer files hold them: simplified characters (mainland, and
 * most Chinese Australians' own records), traditional characters (Taiwan, Hong Kong, and
 * many sales spreadsheets typed on a traditional input method), Hanyu pinyin (mainland
 * passports), Hong Kong government romanisation (Cantonese: 陈 → Chan, 张 → Cheung) and Taiwan's
 * Wade–Giles (张 → Chang, 蔡 → Tsai). Frequencies follow the mainland and Taiwan registers
 * roughly: 王, 李, 张 are ~7 % each, so blocking on family name meets very large blocks.
 */
import { WeightedTable } from '../prng.js';

export interface ChineseFamily {
  s: string;
  t: string;
  pinyin: string;
  hk: string;
  tw: string;
}

export interface ChineseGiven {
  s: string;
  t: string;
  /** Pinyin as one word: "Xiuying". */
  pinyin: string;
  /** Pinyin syllables apart: "Xiu Ying". */
  pinyinSplit: string;
  /** Hong Kong romanisation: "Sau Ying". */
  hk: string;
  /** Wade–Giles as Taiwan writes it: "Hsiu-Ying". */
  tw: string;
  gender: 'M' | 'F';
}

// simplified, traditional, pinyin, Hong Kong, Taiwan, weight (mainland %), weight (TW/HK %)
const FAMILY: readonly (readonly [string, string, string, string, string, number, number])[] = [
  ['王', '王', 'Wang', 'Wong', 'Wang', 7.1, 4.1], ['李', '李', 'Li', 'Lee', 'Lee', 7.0, 5.2],
  ['张', '張', 'Zhang', 'Cheung', 'Chang', 6.6, 5.3], ['刘', '劉', 'Liu', 'Lau', 'Liu', 5.4, 3.2],
  ['陈', '陳', 'Chen', 'Chan', 'Chen', 4.5, 11], ['杨', '楊', 'Yang', 'Yeung', 'Yang', 3.1, 2.6],
  ['黄', '黃', 'Huang', 'Wong', 'Huang', 2.2, 6], ['赵', '趙', 'Zhao', 'Chiu', 'Chao', 2.0, 0.6],
  ['吴', '吳', 'Wu', 'Ng', 'Wu', 1.9, 4], ['周', '周', 'Zhou', 'Chow', 'Chou', 1.7, 1.4],
  ['徐', '徐', 'Xu', 'Tsui', 'Hsu', 1.3, 1.1], ['孙', '孫', 'Sun', 'Suen', 'Sun', 1.2, 0.4],
  ['马', '馬', 'Ma', 'Ma', 'Ma', 1.2, 0.4], ['朱', '朱', 'Zhu', 'Chu', 'Chu', 1.1, 0.6],
  ['胡', '胡', 'Hu', 'Wu', 'Hu', 1.0, 0.6], ['郭', '郭', 'Guo', 'Kwok', 'Kuo', 1.0, 1.6],
  ['何', '何', 'He', 'Ho', 'Ho', 0.9, 1.3], ['高', '高', 'Gao', 'Ko', 'Kao', 0.9, 0.5],
  ['林', '林', 'Lin', 'Lam', 'Lin', 0.9, 8.3], ['罗', '羅', 'Luo', 'Law', 'Lo', 0.9, 0.9],
  ['郑', '鄭', 'Zheng', 'Cheng', 'Cheng', 0.9, 1.1], ['梁', '梁', 'Liang', 'Leung', 'Liang', 0.8, 2.5],
  ['谢', '謝', 'Xie', 'Tse', 'Hsieh', 0.7, 1.7], ['宋', '宋', 'Song', 'Sung', 'Sung', 0.6, 0.4],
  ['唐', '唐', 'Tang', 'Tong', 'Tang', 0.6, 0.4], ['许', '許', 'Xu', 'Hui', 'Hsu', 0.6, 1.2],
  ['韩', '韓', 'Han', 'Hon', 'Han', 0.6, 0.2], ['冯', '馮', 'Feng', 'Fung', 'Feng', 0.6, 0.6],
  ['邓', '鄧', 'Deng', 'Tang', 'Teng', 0.6, 0.5], ['曹', '曹', 'Cao', 'Tso', 'Tsao', 0.6, 0.2],
  ['彭', '彭', 'Peng', 'Pang', 'Peng', 0.5, 0.4], ['曾', '曾', 'Zeng', 'Tsang', 'Tseng', 0.5, 1],
  ['萧', '蕭', 'Xiao', 'Siu', 'Hsiao', 0.5, 0.5], ['田', '田', 'Tian', 'Tin', 'Tien', 0.5, 0.1],
  ['董', '董', 'Dong', 'Tung', 'Tung', 0.5, 0.2], ['潘', '潘', 'Pan', 'Poon', 'Pan', 0.4, 0.4],
  ['袁', '袁', 'Yuan', 'Yuen', 'Yuan', 0.4, 0.3], ['蔡', '蔡', 'Cai', 'Choi', 'Tsai', 0.4, 2.9],
  ['蒋', '蔣', 'Jiang', 'Cheung', 'Chiang', 0.4, 0.3], ['余', '余', 'Yu', 'Yu', 'Yu', 0.4, 0.3],
  ['于', '于', 'Yu', 'Yu', 'Yu', 0.4, 0.1], ['杜', '杜', 'Du', 'To', 'Tu', 0.4, 0.2],
  ['叶', '葉', 'Ye', 'Yip', 'Yeh', 0.4, 1], ['程', '程', 'Cheng', 'Ching', 'Cheng', 0.4, 0.2],
  ['苏', '蘇', 'Su', 'So', 'Su', 0.3, 0.6], ['魏', '魏', 'Wei', 'Ngai', 'Wei', 0.3, 0.3],
  ['丁', '丁', 'Ding', 'Ting', 'Ting', 0.3, 0.2], ['沈', '沈', 'Shen', 'Shum', 'Shen', 0.3, 0.3],
  ['任', '任', 'Ren', 'Yam', 'Jen', 0.3, 0.1], ['姚', '姚', 'Yao', 'Yiu', 'Yao', 0.3, 0.2],
  ['卢', '盧', 'Lu', 'Lo', 'Lu', 0.3, 0.3], ['钟', '鍾', 'Zhong', 'Chung', 'Chung', 0.3, 0.5],
  ['汪', '汪', 'Wang', 'Wong', 'Wang', 0.3, 0.1], ['戴', '戴', 'Dai', 'Tai', 'Tai', 0.2, 0.2],
  ['方', '方', 'Fang', 'Fong', 'Fang', 0.2, 0.2], ['邱', '邱', 'Qiu', 'Yau', 'Chiu', 0.2, 0.7],
  ['廖', '廖', 'Liao', 'Liu', 'Liao', 0.2, 0.8], ['欧阳', '歐陽', 'Ouyang', 'Au Yeung', 'Ouyang', 0.05, 0.05],
  ['贾', '賈', 'Jia', 'Ka', 'Chia', 0.2, 0.1], ['夏', '夏', 'Xia', 'Ha', 'Hsia', 0.2, 0.1], ['傅', '傅', 'Fu', 'Fu', 'Fu', 0.2, 0.2],
  ['白', '白', 'Bai', 'Pak', 'Pai', 0.2, 0.1], ['江', '江', 'Jiang', 'Kong', 'Chiang', 0.2, 0.4], ['黎', '黎', 'Li', 'Lai', 'Li', 0.1, 0.2],
  ['赖', '賴', 'Lai', 'Lai', 'Lai', 0.1, 0.8], ['毛', '毛', 'Mao', 'Mo', 'Mao', 0.2, 0.1], ['顾', '顧', 'Gu', 'Ku', 'Ku', 0.2, 0.1],
  ['侯', '侯', 'Hou', 'Hau', 'Hou', 0.2, 0.1], ['孟', '孟', 'Meng', 'Mang', 'Meng', 0.2, 0.1], ['龙', '龍', 'Long', 'Lung', 'Lung', 0.1, 0.1],
];

// simplified, traditional, pinyin syllable, HK, TW, gender tendency
const CHARS: readonly (readonly [string, string, string, string, string, 'M' | 'F' | '*'])[] = [
  ['伟', '偉', 'wei', 'Wai', 'Wei', 'M'], ['芳', '芳', 'fang', 'Fong', 'Fang', 'F'], ['娜', '娜', 'na', 'Na', 'Na', 'F'],
  ['秀', '秀', 'xiu', 'Sau', 'Hsiu', 'F'], ['英', '英', 'ying', 'Ying', 'Ying', 'F'], ['敏', '敏', 'min', 'Man', 'Min', 'F'],
  ['静', '靜', 'jing', 'Ching', 'Ching', 'F'], ['丽', '麗', 'li', 'Lai', 'Li', 'F'], ['强', '強', 'qiang', 'Keung', 'Chiang', 'M'],
  ['磊', '磊', 'lei', 'Lui', 'Lei', 'M'], ['军', '軍', 'jun', 'Kwan', 'Chun', 'M'], ['洋', '洋', 'yang', 'Yeung', 'Yang', 'M'],
  ['勇', '勇', 'yong', 'Yung', 'Yung', 'M'], ['艳', '艷', 'yan', 'Yim', 'Yen', 'F'], ['杰', '傑', 'jie', 'Kit', 'Chieh', 'M'],
  ['娟', '娟', 'juan', 'Kuen', 'Chuan', 'F'], ['涛', '濤', 'tao', 'To', 'Tao', 'M'], ['明', '明', 'ming', 'Ming', 'Ming', 'M'],
  ['超', '超', 'chao', 'Chiu', 'Chao', 'M'], ['兰', '蘭', 'lan', 'Lan', 'Lan', 'F'], ['霞', '霞', 'xia', 'Ha', 'Hsia', 'F'],
  ['建', '建', 'jian', 'Kin', 'Chien', 'M'], ['华', '華', 'hua', 'Wah', 'Hua', 'M'], ['晓', '曉', 'xiao', 'Hiu', 'Hsiao', '*'],
  ['嘉', '嘉', 'jia', 'Ka', 'Chia', '*'], ['怡', '怡', 'yi', 'Yi', 'Yi', 'F'], ['子', '子', 'zi', 'Tsz', 'Tzu', '*'],
  ['轩', '軒', 'xuan', 'Hin', 'Hsuan', 'M'], ['浩', '浩', 'hao', 'Ho', 'Hao', 'M'], ['然', '然', 'ran', 'Yin', 'Jan', 'M'],
  ['雨', '雨', 'yu', 'Yu', 'Yu', 'F'], ['桐', '桐', 'tong', 'Tung', 'Tung', 'F'], ['思', '思', 'si', 'Sze', 'Ssu', '*'],
  ['远', '遠', 'yuan', 'Yuen', 'Yuan', 'M'], ['文', '文', 'wen', 'Man', 'Wen', 'M'], ['博', '博', 'bo', 'Pok', 'Po', 'M'],
  ['婷', '婷', 'ting', 'Ting', 'Ting', 'F'], ['欣', '欣', 'xin', 'Yan', 'Hsin', 'F'], ['志', '志', 'zhi', 'Chi', 'Chih', 'M'],
  ['家', '家', 'jia', 'Ka', 'Chia', '*'], ['豪', '豪', 'hao', 'Ho', 'Hao', 'M'], ['美', '美', 'mei', 'Mei', 'Mei', 'F'],
  ['玲', '玲', 'ling', 'Ling', 'Ling', 'F'], ['俊', '俊', 'jun', 'Chun', 'Chun', 'M'], ['宇', '宇', 'yu', 'Yu', 'Yu', 'M'],
  ['冠', '冠', 'guan', 'Kwun', 'Kuan', 'M'], ['雅', '雅', 'ya', 'Nga', 'Ya', 'F'], ['淑', '淑', 'shu', 'Suk', 'Shu', 'F'],
  ['慧', '慧', 'hui', 'Wai', 'Hui', 'F'], ['诗', '詩', 'shi', 'Sze', 'Shih', 'F'], ['宏', '宏', 'hong', 'Wang', 'Hung', 'M'],
  ['国', '國', 'guo', 'Kwok', 'Kuo', 'M'], ['玉', '玉', 'yu', 'Yuk', 'Yu', 'F'], ['海', '海', 'hai', 'Hoi', 'Hai', 'M'],
  ['梅', '梅', 'mei', 'Mui', 'Mei', 'F'], ['春', '春', 'chun', 'Chun', 'Chun', '*'], ['佳', '佳', 'jia', 'Kai', 'Chia', 'F'],
  ['晨', '晨', 'chen', 'San', 'Chen', '*'], ['安', '安', 'an', 'On', 'An', '*'], ['德', '德', 'de', 'Tak', 'Te', 'M'],
  ['永', '永', 'yong', 'Wing', 'Yung', 'M'], ['颖', '穎', 'ying', 'Wing', 'Ying', 'F'], ['芬', '芬', 'fen', 'Fun', 'Fen', 'F'],
  ['涵', '涵', 'han', 'Ham', 'Han', 'F'], ['鹏', '鵬', 'peng', 'Pang', 'Peng', 'M'], ['辉', '輝', 'hui', 'Fai', 'Hui', 'M'],
  ['龙', '龍', 'long', 'Lung', 'Lung', 'M'], ['燕', '燕', 'yan', 'Yin', 'Yen', 'F'], ['红', '紅', 'hong', 'Hung', 'Hung', 'F'],
  ['平', '平', 'ping', 'Ping', 'Ping', '*'],
];

// The most common given names, most frequent first (mainland registers).
const COMMON_MALE = ['伟', '强', '磊', '军', '洋', '勇', '杰', '涛', '明', '超', '平', '辉', '鹏', '建华', '晓明', '志明', '国强', '子轩', '浩然', '俊杰', '文博', '思远', '宇轩', '家豪', '冠宇', '海龙', '永强', '德华'];
const COMMON_FEMALE = ['芳', '娜', '秀英', '敏', '静', '丽', '艳', '娟', '霞', '秀兰', '婷', '燕', '玲', '红', '嘉怡', '欣怡', '雨桐', '诗涵', '梦', '雅婷', '美玲', '晓燕', '淑芬', '佳怡', '思怡', '慧敏', '玉兰', '春梅'];

const BY_S = new Map(CHARS.map((c) => [c[0], c] as const));
const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function compose(s: string, gender: 'M' | 'F'): ChineseGiven | null {
  const parts = [...s].map((ch) => BY_S.get(ch));
  if (parts.some((p) => p === undefined)) return null;
  const ps = parts as (readonly [string, string, string, string, string, string])[];
  const syl = ps.map((p) => p[2]);
  return {
    s,
    t: ps.map((p) => p[1]).join(''),
    pinyin: cap(syl.join('')),
    pinyinSplit: syl.map(cap).join(' '),
    hk: ps.map((p) => p[3]).join(' '),
    tw: ps.map((p, i) => (i === 0 ? p[4] : p[4].toLowerCase() === p[4] ? p[4] : cap(p[4].toLowerCase()))).join('-'),
    gender,
  };
}

function givenPool(common: readonly string[], gender: 'M' | 'F'): WeightedTable<ChineseGiven> {
  const head = common.map((s) => compose(s, gender)).filter((g): g is ChineseGiven => g !== null);
  const seen = new Set(head.map((g) => g.s));
  const fits = CHARS.filter((c) => c[5] === gender || c[5] === '*').map((c) => c[0]);
  const tail: ChineseGiven[] = [];
  for (const a of fits) {
    for (const b of fits) {
      if (a === b) continue;
      const g = compose(a + b, gender);
      if (g && !seen.has(g.s)) {
        seen.add(g.s);
        tail.push(g);
      }
    }
  }
  // Fixed interleaving (seed-independent) so the tail is not ordered by character.
  const mixed = tail.map((g, i) => [g, (i * 7919) % tail.length] as const).sort((x, y) => x[1] - y[1]).map((x) => x[0]);
  return WeightedTable.zipf([...head, ...mixed], 0.9, 3);
}

export const CHINESE_FAMILY_MAINLAND: WeightedTable<ChineseFamily> = new WeightedTable(
  FAMILY.map(([s, t, pinyin, hk, tw, w]) => [{ s, t, pinyin, hk, tw }, w] as const),
);
export const CHINESE_FAMILY_TW_HK: WeightedTable<ChineseFamily> = new WeightedTable(
  FAMILY.map(([s, t, pinyin, hk, tw, , w]) => [{ s, t, pinyin, hk, tw }, w] as const),
);
export const CHINESE_GIVEN_MALE: WeightedTable<ChineseGiven> = givenPool(COMMON_MALE, 'M');
export const CHINESE_GIVEN_FEMALE: WeightedTable<ChineseGiven> = givenPool(COMMON_FEMALE, 'F');
