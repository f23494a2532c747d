/**
 * Phone numbers valid for their country (every prefix below was checked against
 * libphonenumber-js/max: 100 % of numbers drawn from it are valid) and unique by construction: a
 * scheme's n-th number is a fixed permutation of n over the scheme's number space, so a million
 * customers get a million distinct numbers without a set of used numbers. The numbers are made
 * up; like any generator's, some may belong to someone.
 */
import { deriveSeed, hashString, type Rng } from './prng.js';
import { toFullWidth } from './text.js';

export type CountryCode = 'AU' | 'GB' | 'US' | 'CN' | 'TW' | 'HK' | 'DE';

export interface Phone {
  cc: CountryCode;
  mobile: boolean;
  /** National significant number: no trunk prefix, no country code ("412345678" for 0412 345 678). */
  nsn: string;
  /** Length of the area code at the start of `nsn` (landlines; 0 for mobiles and Hong Kong). */
  area: number;
}

interface PhoneScheme {
  cc: CountryCode;
  mobile: boolean;
  prefixes: readonly string[];
  /** Digits after the prefix. */
  rest: number;
  area: number;
}

export const CALLING_CODE: Readonly<Record<CountryCode, string>> = { AU: '61', GB: '44', US: '1', CN: '86', TW: '886', HK: '852', DE: '49' };

const split = (s: string): string[] => s.split(/\s*,\s*/);
const scheme = (cc: CountryCode, mobile: boolean, prefixes: string, rest: number, area = 0): PhoneScheme => ({ cc, mobile, prefixes: split(prefixes), rest, area });
const usCity = (areas: string): PhoneScheme => ({
  cc: 'US',
  mobile: false,
  // NXX exchanges start with 2–9.
  prefixes: split(areas).flatMap((a) => ['2', '3', '4', '6', '7', '8', '9'].map((d) => a + d)),
  rest: 6,
  area: 3,
});

const SCHEMES: Readonly<Record<string, PhoneScheme>> = {
  'AU-M': scheme('AU', true, '40, 41, 42, 43, 46', 7),
  'AU-L-NSW': scheme('AU', false, '29, 28', 7, 1),
  'AU-L-ACT': scheme('AU', false, '261, 262', 6, 1),
  'AU-L-VIC': scheme('AU', false, '39, 38', 7, 1),
  'AU-L-TAS': scheme('AU', false, '362, 363', 6, 1),
  'AU-L-QLD': scheme('AU', false, '733, 738, 740, 754, 755', 6, 1),
  'AU-L-SA': scheme('AU', false, '880, 881, 882, 883', 6, 1),
  'AU-L-WA': scheme('AU', false, '892, 893, 894, 895', 6, 1),
  'AU-L-NT': scheme('AU', false, '898, 899', 6, 1),
  'GB-M': scheme('GB', true, '74, 75, 78', 8),
  'GB-L-LON': scheme('GB', false, '207, 208', 7, 2),
  'GB-L-MAN': scheme('GB', false, '161', 7, 3),
  'GB-L-BHM': scheme('GB', false, '1212, 1214, 1216, 1217', 6, 3),
  'GB-L-LDS': scheme('GB', false, '1132, 1134, 1135', 6, 3),
  'GB-L-GLA': scheme('GB', false, '141', 7, 3),
  'GB-L-EDI': scheme('GB', false, '1313, 1314, 1315, 1316', 6, 3),
  'GB-L-BRS': scheme('GB', false, '1172, 1179', 6, 3),
  'GB-L-LIV': scheme('GB', false, '151', 7, 3),
  'GB-L-SHF': scheme('GB', false, '1142, 1144', 6, 3),
  'GB-L-CDF': scheme('GB', false, '2920', 6, 2),
  'GB-L-NCL': scheme('GB', false, '191', 7, 3),
  'GB-L-NOT': scheme('GB', false, '1159', 6, 3),
  'GB-L-OXF': scheme('GB', false, '1865', 6, 4),
  'GB-L-CAM': scheme('GB', false, '1223', 6, 4),
  // US numbers are not told apart as mobile or fixed (NANP): a person's only number is "landline".
  'US-L-NYC': usCity('212, 646, 917'),
  'US-L-BKN': usCity('718, 347'),
  'US-L-LAX': usCity('213, 310, 323'),
  'US-L-SFO': usCity('415, 628'),
  'US-L-SEA': usCity('206'),
  'US-L-BOS': usCity('617, 857'),
  'US-L-CHI': usCity('312, 773'),
  'US-L-HOU': usCity('713, 832'),
  'US-L-AUS': usCity('512, 737'),
  'US-L-MIA': usCity('305, 786'),
  'US-L-DEN': usCity('303, 720'),
  'US-L-ATL': usCity('404, 678'),
  'US-L-PHX': usCity('602, 480'),
  'US-L-PDX': usCity('503, 971'),
  'CN-M': scheme('CN', true, '130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155, 156, 157, 158, 159, 166, 177, 180, 181, 182, 183, 185, 186, 187, 188, 189, 199', 8),
  'CN-L-BJ': scheme('CN', false, '10', 8, 2),
  'CN-L-SH': scheme('CN', false, '212, 213, 215, 216', 7, 2),
  'CN-L-GZ': scheme('CN', false, '20', 8, 2),
  'CN-L-SZ': scheme('CN', false, '755', 8, 3),
  'CN-L-HZ': scheme('CN', false, '571', 8, 3),
  'CN-L-CD': scheme('CN', false, '28', 8, 2),
  'CN-L-NJ': scheme('CN', false, '25', 8, 2),
  'CN-L-WH': scheme('CN', false, '27', 8, 2),
  'CN-L-XA': scheme('CN', false, '29', 8, 2),
  'CN-L-TJ': scheme('CN', false, '22', 8, 2),
  'TW-M': scheme('TW', true, '90, 91, 92, 93, 94, 95, 96, 97, 98', 7),
  'TW-L-TPE': scheme('TW', false, '22, 23, 27, 28', 7, 1),
  'TW-L-TXG': scheme('TW', false, '42', 7, 1),
  'TW-L-KHH': scheme('TW', false, '72, 73, 75', 6, 1),
  'HK-M': scheme('HK', true, '61, 63, 64, 65, 69, 94, 96, 97', 6),
  'HK-L': scheme('HK', false, '21, 23, 24, 25, 26, 27, 28, 29', 6),
  'DE-M': scheme('DE', true, '151, 152, 157, 159, 176, 177, 178', 8),
  'DE-L-BER': scheme('DE', false, '30', 8, 2),
  'DE-L-HAM': scheme('DE', false, '40', 8, 2),
  'DE-L-MUC': scheme('DE', false, '89', 8, 2),
  'DE-L-CGN': scheme('DE', false, '221', 7, 3),
  'DE-L-FRA': scheme('DE', false, '69', 8, 2),
  'DE-L-STR': scheme('DE', false, '711', 7, 3),
  'DE-L-DUS': scheme('DE', false, '211', 7, 3),
  'DE-L-LEJ': scheme('DE', false, '341', 7, 3),
  'DE-L-DRS': scheme('DE', false, '351', 7, 3),
  'DE-L-HAJ': scheme('DE', false, '511', 7, 3),
  'DE-L-NUE': scheme('DE', false, '911', 7, 3),
};

const POW10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];
// Multipliers for the permutation: primes that divide no scheme's space (which has factors 2, 5
// and the prefix count, at most 31).
const MULTIPLIERS = [15_485_863, 32_452_843, 49_979_687, 67_867_967, 86_028_121];

/** Hands out distinct numbers per scheme; one allocator per generated data set. */
export class PhoneAllocator {
  private readonly state = new Map<string, { scheme: PhoneScheme; n: number; mult: number; offset: number; block: number; space: number }>();
  private readonly seed: number;

  constructor(seed: number) {
    this.seed = seed;
  }

  /** The next unused number of a scheme ("AU-M", "AU-L-NSW", "GB-L-LON", …). */
  next(key: string): Phone {
    let st = this.state.get(key);
    if (!st) {
      const scheme = SCHEMES[key];
      if (!scheme) throw new Error(`unknown phone scheme ${key}`);
      const block = POW10[scheme.rest] as number;
      const space = block * scheme.prefixes.length;
      const salt = deriveSeed(this.seed, hashString(key));
      st = { scheme, n: 0, mult: MULTIPLIERS[salt % MULTIPLIERS.length] as number, offset: salt % space, block, space };
      this.state.set(key, st);
    }
    const s = st.scheme;
    // (n * mult + offset) mod space is a bijection on [0, space) because gcd(mult, space) = 1;
    // n * mult stays below 2^53 for any n under ~10^8.
    const v = (st.n++ * st.mult + st.offset) % st.space;
    const prefix = s.prefixes[Math.floor(v / st.block)] as string;
    const tail = String(v % st.block);
    return { cc: s.cc, mobile: s.mobile, nsn: prefix + '0'.repeat(s.rest - tail.length) + tail, area: s.area };
  }
}

/**
 * How a number is written. `national`: the country's usual spaced form ("0412 345 678", "(02)
 * 9876 5432" is `paren`); `compact`: digits only with trunk prefix; `intl`: "+61 412 345 678";
 * `e164`: "+61412345678"; `dashed`: "0412-345-678"; `noTrunk`: trunk zero lost by a spreadsheet
 * ("412345678"); `idd`: international access prefix ("0061 412 345 678"); `noPlus`: country code
 * without "+" ("61412345678"); `fullwidth`: national form in full-width digits.
 */
export type PhoneStyle = 'national' | 'paren' | 'compact' | 'intl' | 'e164' | 'dashed' | 'noTrunk' | 'idd' | 'noPlus' | 'fullwidth';

/** The digit groups of a number as its country writes them (no trunk prefix, no country code). */
function groups(p: Phone): [string, string, string] {
  const n = p.nsn;
  switch (p.cc) {
    case 'AU':
      return p.mobile ? [n.slice(0, 3), n.slice(3, 6), n.slice(6)] : [n.slice(0, 1), n.slice(1, 5), n.slice(5)];
    case 'GB':
      if (p.mobile) return [n.slice(0, 4), n.slice(4), ''];
      if (p.area === 2) return [n.slice(0, 2), n.slice(2, 6), n.slice(6)];
      if (p.area === 3) return [n.slice(0, 3), n.slice(3, 6), n.slice(6)];
      return [n.slice(0, 4), n.slice(4), ''];
    case 'US':
      return [n.slice(0, 3), n.slice(3, 6), n.slice(6)];
    case 'CN':
      return p.mobile ? [n.slice(0, 3), n.slice(3, 7), n.slice(7)] : [n.slice(0, p.area), n.slice(p.area, p.area + 4), n.slice(p.area + 4)];
    case 'TW':
      return p.mobile ? [n.slice(0, 3), n.slice(3, 6), n.slice(6)] : [n.slice(0, 1), n.slice(1, n.length - 4), n.slice(n.length - 4)];
    case 'HK':
      return [n.slice(0, 4), n.slice(4), ''];
    case 'DE':
      return p.mobile ? [n.slice(0, 3), n.slice(3), ''] : [n.slice(0, p.area), n.slice(p.area), ''];
  }
}

function join(g: readonly [string, string, string], sep: string): string {
  return g[2] ? g[0] + sep + g[1] + sep + g[2] : g[0] + sep + g[1];
}

/** Writes a number in one of the styles people and systems use. */
export function formatPhone(p: Phone, style: PhoneStyle): string {
  const cc = CALLING_CODE[p.cc];
  // No trunk prefix in NANP and Hong Kong, nor before Chinese mobile numbers.
  const trunk = p.cc === 'US' || p.cc === 'HK' || (p.cc === 'CN' && p.mobile) ? '' : '0';
  switch (style) {
    case 'compact':
      return trunk + p.nsn;
    case 'e164':
      return `+${cc}${p.nsn}`;
    case 'noPlus':
      return cc + p.nsn;
    case 'noTrunk':
      return p.nsn;
    case 'intl':
      return `+${cc} ${join(groups(p), ' ')}`;
    case 'idd':
      return `${p.cc === 'US' ? '011' : '00'} ${cc} ${join(groups(p), ' ')}`;
    case 'dashed':
      return trunk + join(groups(p), '-');
    case 'paren': {
      const g = groups(p);
      if (p.cc === 'US') return `(${g[0]}) ${g[1]}-${g[2]}`;
      if (p.mobile || p.cc === 'HK') return trunk + join(g, ' ');
      const sep = p.cc === 'TW' || p.cc === 'CN' ? '-' : ' ';
      return g[2] ? `(0${g[0]}) ${g[1]}${sep}${g[2]}` : `(0${g[0]}) ${g[1]}`;
    }
    case 'fullwidth':
      return toFullWidth(trunk + join(groups(p), ' '));
    case 'national': {
      const g = groups(p);
      if (p.cc === 'US') return `${g[0]}-${g[1]}-${g[2]}`;
      if (p.cc === 'DE' && !p.mobile) return `0${g[0]}/${g[1]}`;
      return trunk + join(g, ' ');
    }
  }
}

/** A style drawn from weights (style, weight, style, weight, …). */
export function pickStyle(rng: Rng, table: readonly (readonly [PhoneStyle, number])[]): PhoneStyle {
  let total = 0;
  for (const [, w] of table) total += w;
  let r = rng.next() * total;
  for (const [s, w] of table) if ((r -= w) < 0) return s;
  return (table[0] as readonly [PhoneStyle, number])[0];
}
