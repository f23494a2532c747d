/**
 * The true population behind the generated sources: people and companies, each with one set of
 * true values (name in every script it has, birth date, address, phones, e-mail). Sources then
 * render these values in their own ways (sources.ts) and duplicates vary them (variations.ts).
 */
import { AU_SUFFIXES, BRANDS, COMPANY_MAILBOXES, DE_INDUSTRIES, DE_SUFFIXES, GB_SUFFIXES, INDUSTRIES, US_SUFFIXES, ZH_BRANDS, ZH_INDUSTRIES } from './data/companies.js';
import { CHINESE_FAMILY_MAINLAND, CHINESE_FAMILY_TW_HK, CHINESE_GIVEN_FEMALE, CHINESE_GIVEN_MALE, type ChineseFamily, type ChineseGiven } from './data/chinese-names.js';
import { ACCENTED, ADOPTED_ENGLISH_FEMALE, ADOPTED_ENGLISH_MALE, NAME_POOLS, type Culture } from './data/names.js';
import {
  AU_CHINESE_SUBURBS, AU_LANDLINE_SCHEME, AU_RESIDENTIAL_TYPES, AU_STREETS, AU_SUBURBS, AU_VIETNAMESE_SUBURBS, CN_CITIES, CN_STREETS,
  DE_CITIES, DE_STREETS, GB_CITIES, GB_INWARD_LETTERS, GB_STREET_TYPES, GB_STREETS, HK_DISTRICTS, TW_CITIES, TW_STREETS,
  US_CITIES, US_STREET_TYPES, US_STREETS, type AuSuburb,
} from './data/places.js';
import { PhoneAllocator, type CountryCode, type Phone } from './phones.js';
import { hashString, WeightedTable, type Rng } from './prng.js';
import { nameSlug, slug, zeroPad } from './text.js';

export interface ChineseForms {
  famS: string;
  famT: string;
  givS: string;
  givT: string;
  /** Romanised given name with its syllables apart ("Xiu Ying", "Ka Yan"). */
  givSplit: string;
}

export interface Address {
  cc: CountryCode;
  /** AU unit ("3"), or a prefix such as "Level 2" / "Suite 4" / "PO Box" for companies. */
  unit: string;
  number: string;
  /** AU: street name without its type; other countries: the whole Latin first line. */
  street: string;
  /** AU: abbreviated street type ("St"); empty elsewhere. */
  type: string;
  /** A second way of writing the Latin line (GB "Flat 3, 12 Station Road" → "3 Station Road"…). */
  streetAlt: string;
  city: string;
  region: string;
  postcode: string;
  /** Native-script forms (CN, TW, HK); null elsewhere. */
  zh: { lineS: string; lineT: string; cityS: string; cityT: string; regionS: string; regionT: string } | null;
  /** Landline scheme of the place (phones.ts). */
  phoneScheme: string;
}

export interface Entity {
  id: string;
  seq: number;
  kind: 'person' | 'company';
  cc: CountryCode;
  culture: Culture;
  gender: 'M' | 'F' | '';
  given: string;
  middle: string;
  family: string;
  /** Chinese characters of the name; null for non-Chinese names and adopted English given names. */
  zh: ChineseForms | null;
  /** "Jr" / "Snr" for a father and son of the same name (shown by some sources only). */
  suffix: string;
  company: string;
  /** Traditional-character and English names of Chinese companies (empty otherwise). */
  companyT: string;
  companyEn: string;
  /** The legal suffix as written in `company` ("Pty Ltd", "GmbH", …), for variations. */
  legal: string;
  contactGiven: string;
  contactFamily: string;
  /** yyyymmdd as a number; 0 when unknown (companies). */
  dob: number;
  addr: Address;
  mobile: Phone | null;
  landline: Phone | null;
  email: string;
  /** Day (since 2010-01-01) the customer first appeared. */
  since: number;
  /** Hard-negative tag: "twin-of:E0000012", "spouse-of:…", "father-of:…", "son-of:…", "namesake-of:…". */
  hard: string;
}

const COUNTRIES = new WeightedTable<CountryCode>([['AU', 76], ['GB', 5], ['US', 5], ['CN', 6], ['TW', 1.5], ['HK', 2], ['DE', 4.5]]);
const CULTURES: Readonly<Record<CountryCode, WeightedTable<Culture>>> = {
  AU: new WeightedTable<Culture>([
    ['anglo', 62], ['chinese', 12], ['vietnamese', 4], ['indian', 6], ['italian', 4], ['greek', 3], ['arabic', 3],
    ['filipino', 2], ['korean', 1.5], ['german', 1.5], ['hispanic', 1],
  ]),
  GB: new WeightedTable<Culture>([['anglo', 80], ['indian', 9], ['chinese', 3], ['arabic', 4], ['italian', 2], ['german', 2]]),
  US: new WeightedTable<Culture>([['anglo', 62], ['hispanic', 19], ['chinese', 5], ['indian', 5], ['korean', 3], ['german', 2], ['italian', 2], ['filipino', 2]]),
  CN: new WeightedTable<Culture>([['chinese', 1]]),
  TW: new WeightedTable<Culture>([['chinese', 1]]),
  HK: new WeightedTable<Culture>([['chinese', 1]]),
  DE: new WeightedTable<Culture>([['german', 85], ['turkish', 10], ['italian', 3], ['greek', 2]]),
};
const PROVIDERS: Readonly<Record<CountryCode, WeightedTable<string>>> = {
  AU: new WeightedTable([['gmail.com', 34], ['outlook.com', 10], ['hotmail.com', 12], ['bigpond.com', 10], ['bigpond.net.au', 3], ['yahoo.com.au', 8], ['yahoo.com', 3], ['icloud.com', 8], ['optusnet.com.au', 4], ['iinet.net.au', 3], ['tpg.com.au', 2], ['live.com.au', 3]]),
  GB: new WeightedTable([['gmail.com', 30], ['hotmail.co.uk', 15], ['outlook.com', 10], ['yahoo.co.uk', 10], ['btinternet.com', 10], ['sky.com', 6], ['icloud.com', 8], ['live.co.uk', 5], ['aol.com', 3]]),
  US: new WeightedTable([['gmail.com', 40], ['yahoo.com', 15], ['outlook.com', 8], ['hotmail.com', 10], ['icloud.com', 12], ['aol.com', 5], ['comcast.net', 5], ['att.net', 3]]),
  CN: new WeightedTable([['163.com', 30], ['126.com', 14], ['sina.com', 7], ['gmail.com', 10], ['outlook.com', 6], ['foxmail.com', 6], ['139.com', 5], ['qq.com', 22]]),
  TW: new WeightedTable([['gmail.com', 45], ['yahoo.com.tw', 30], ['hotmail.com', 15], ['outlook.com', 10]]),
  HK: new WeightedTable([['gmail.com', 45], ['yahoo.com.hk', 25], ['hotmail.com', 15], ['netvigator.com', 10], ['outlook.com', 5]]),
  DE: new WeightedTable([['gmx.de', 25], ['web.de', 25], ['gmail.com', 20], ['t-online.de', 15], ['outlook.de', 5], ['yahoo.de', 5], ['icloud.com', 5]]),
};
const COMPANY_TLD: Readonly<Record<CountryCode, string>> = { AU: 'com.au', GB: 'co.uk', US: 'com', CN: 'com.cn', TW: 'com.tw', HK: 'com.hk', DE: 'de' };

// Ages of adult customers (in 2025): few under 20, most 25–70, a tail to 95.
const AGES = new WeightedTable<number>(
  Array.from({ length: 78 }, (_, i) => {
    const age = 18 + i;
    const w = age < 22 ? 0.4 : age < 30 ? 0.9 : age < 65 ? 1 : age < 75 ? 0.75 : age < 85 ? 0.4 : 0.15;
    return [age, w] as const;
  }),
);
const AU_BY_NAME = new Map(AU_SUBURBS.items.map((s) => [s.name, s] as const));
const AU_CHINESE = AU_CHINESE_SUBURBS.map((n) => AU_BY_NAME.get(n)).filter((s): s is AuSuburb => s !== undefined);
const AU_VIETNAMESE = AU_VIETNAMESE_SUBURBS.map((n) => AU_BY_NAME.get(n)).filter((s): s is AuSuburb => s !== undefined);
const AU_SUFFIX_TABLE = new WeightedTable(AU_SUFFIXES);
const GB_SUFFIX_TABLE = new WeightedTable(GB_SUFFIXES);
const US_SUFFIX_TABLE = new WeightedTable(US_SUFFIXES);
const DE_SUFFIX_TABLE = new WeightedTable(DE_SUFFIXES);

/** The most frequent family names of each culture (for namesakes that really are common). */
const COMMON_FAMILY: ReadonlySet<string> = new Set([
  ...Object.values(NAME_POOLS).flatMap((p) => p.family.items.slice(0, 12)),
  ...CHINESE_FAMILY_MAINLAND.items.slice(0, 12).map((f) => f.pinyin),
  ...CHINESE_FAMILY_TW_HK.items.slice(0, 8).flatMap((f) => [f.hk, f.tw]),
]);

/** Days in a month (1-based), leap years included. */
export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/**
 * A fixed-capacity set of 32-bit string hashes (open addressing): keeps e-mail addresses unique
 * across a million customers in a few megabytes. A hash collision merely makes the caller draw
 * another address.
 */
/**
 * The mailbox an address reaches, as a mail provider sees it: Gmail ignores dots in the local
 * part, so john.smith@ and johnsmith@ are one mailbox and can belong to one person only.
 */
function mailboxKey(addr: string): string {
  const at = addr.indexOf('@');
  const domain = addr.slice(at + 1).toLowerCase();
  const local = addr.slice(0, at).toLowerCase();
  return domain === 'gmail.com' || domain === 'googlemail.com' ? `${local.replace(/\./g, '')}@gmail.com` : `${local}@${domain}`;
}

class HashSet32 {
  private readonly table: Uint32Array;
  private readonly mask: number;
  private size = 0;

  constructor(capacity: number) {
    let n = 1 << 12;
    while (n < capacity * 2) n <<= 1;
    this.table = new Uint32Array(n);
    this.mask = n - 1;
  }

  /** Adds `s`; false when it (or a string with the same hash) is already in. */
  add(s: string): boolean {
    if (this.size * 4 > this.table.length * 3) return true; // full: stop checking rather than loop
    const h = hashString(s) | 1;
    let i = (h ^ (h >>> 16)) & this.mask;
    for (;;) {
      const v = this.table[i] as number;
      if (v === 0) {
        this.table[i] = h >>> 0;
        this.size++;
        return true;
      }
      if (v === h >>> 0) return false;
      i = (i + 1) & this.mask;
    }
  }
}

export interface PopulationOptions {
  rng: Rng;
  seed: number;
  /** Upper bound on the number of entities (sizes the e-mail set). */
  capacity: number;
  /** Countries to draw from (legacy-only data sets hold Australians only). */
  countries?: readonly CountryCode[];
  companyRate: number;
}

/** Draws entities one at a time; holds only a small ring of recent people (for namesakes). */
export class Population {
  readonly phones: PhoneAllocator;
  private readonly rng: Rng;
  private readonly emails: HashSet32;
  private readonly domains: HashSet32;
  private readonly countries: WeightedTable<CountryCode>;
  private readonly companyRate: number;
  private seq = 0;
  private readonly recent: Entity[] = [];
  private recentPos = 0;

  constructor(opts: PopulationOptions) {
    this.rng = opts.rng;
    this.phones = new PhoneAllocator(opts.seed);
    this.emails = new HashSet32(opts.capacity * 2);
    this.domains = new HashSet32(Math.max(1024, opts.capacity / 4));
    this.companyRate = opts.companyRate;
    this.countries = opts.countries
      ? new WeightedTable(COUNTRIES.items.filter((c) => opts.countries!.includes(c)).map((c) => [c, COUNTRIES.share(c)] as const))
      : COUNTRIES;
  }

  private nextId(): { id: string; seq: number } {
    const seq = ++this.seq;
    return { id: `E${zeroPad(seq, 7)}`, seq };
  }

  /** One new person or company, not related to anyone drawn before. */
  draw(): Entity {
    const cc = this.countries.sample(this.rng);
    return this.rng.chance(this.companyRate) ? this.company(cc) : this.person(cc);
  }

  /** One new person (for households). */
  drawPerson(): Entity {
    return this.person(this.countries.sample(this.rng));
  }

  /**
   * A recent person with a common family name (Smith, Wang, Nguyen, Kim, Singh…) when one of a few
   * random picks has one, else any recent person; undefined before anyone was drawn.
   */
  recentPerson(): Entity | undefined {
    if (!this.recent.length) return undefined;
    let e = this.rng.pick(this.recent);
    for (let i = 0; i < 8 && !COMMON_FAMILY.has(e.family); i++) e = this.rng.pick(this.recent);
    return e;
  }

  private remember(e: Entity): void {
    if (this.recent.length < 512) this.recent.push(e);
    else this.recent[this.recentPos++ & 511] = e;
  }

  person(cc: CountryCode, fixed: Partial<Entity> = {}): Entity {
    const rng = this.rng;
    const culture = fixed.culture ?? CULTURES[cc].sample(rng);
    const gender = fixed.gender || (rng.chance(0.5) ? 'M' : 'F');
    const { given, middle, family, zh } = this.name(cc, culture, gender);
    const dob = fixed.dob ?? this.dob();
    const addr = fixed.addr ?? this.address(cc, culture);
    const { id, seq } = this.nextId();
    const e: Entity = {
      id, seq, kind: 'person', cc, culture, gender, given: fixed.given ?? given, middle: fixed.middle ?? middle,
      family: fixed.family ?? family, zh: fixed.zh !== undefined ? fixed.zh : zh, suffix: '',
      company: '', companyT: '', companyEn: '', legal: '', contactGiven: '', contactFamily: '',
      dob: fixed.dob ?? dob, addr: fixed.addr ?? addr, mobile: null, landline: fixed.landline ?? null, email: '',
      since: rng.below(SINCE_DAYS), hard: '',
    };
    const age = 2025 - Math.floor(e.dob / 10000);
    this.givePhones(e, age);
    if (fixed.email === undefined && rng.chance(age > 75 ? 0.55 : 0.88)) e.email = this.personEmail(e);
    this.remember(e);
    return e;
  }

  private givePhones(e: Entity, age: number): void {
    const rng = this.rng;
    const cc = e.cc;
    if (cc === 'US') {
      // NANP numbers do not tell mobile from fixed: one number, kept in `mobile`.
      if (!e.mobile) e.mobile = this.phones.next(e.addr.phoneScheme);
      return;
    }
    const landlineRate = { AU: age > 55 ? 0.5 : 0.22, GB: 0.35, DE: 0.45, CN: 0.15, TW: 0.25, HK: 0.2 }[cc];
    if (!e.mobile && rng.chance(age > 80 ? 0.6 : 0.95)) e.mobile = this.phones.next(`${cc}-M`);
    if (!e.landline && (rng.chance(landlineRate) || !e.mobile)) e.landline = this.phones.next(e.addr.phoneScheme);
  }

  private name(cc: CountryCode, culture: Culture, gender: 'M' | 'F'): { given: string; middle: string; family: string; zh: ChineseForms | null } {
    const rng = this.rng;
    if (culture === 'chinese') {
      const twhk = cc === 'TW' || cc === 'HK';
      const fam: ChineseFamily = (twhk ? CHINESE_FAMILY_TW_HK : CHINESE_FAMILY_MAINLAND).sample(rng);
      const giv: ChineseGiven = (gender === 'M' ? CHINESE_GIVEN_MALE : CHINESE_GIVEN_FEMALE).sample(rng);
      const family = cc === 'HK' ? fam.hk : cc === 'TW' ? fam.tw : fam.pinyin;
      // Overseas Chinese often go by an English given name; then no record has it in characters.
      const adopted = (cc === 'HK' && rng.chance(0.35)) || (cc !== 'CN' && cc !== 'TW' && cc !== 'HK' && rng.chance(0.3));
      if (adopted) return { given: rng.pick(gender === 'M' ? ADOPTED_ENGLISH_MALE : ADOPTED_ENGLISH_FEMALE), middle: '', family, zh: null };
      const given = cc === 'HK' ? giv.hk : cc === 'TW' ? giv.tw : giv.pinyin;
      const givSplit = cc === 'HK' ? giv.hk.replace(' ', '-') : cc === 'TW' ? giv.tw.replace('-', ' ') : giv.pinyinSplit;
      return { given, middle: '', family, zh: { famS: fam.s, famT: fam.t, givS: giv.s, givT: giv.t, givSplit } };
    }
    const pools = NAME_POOLS[culture];
    let given = (gender === 'M' ? pools.male : pools.female).sample(rng);
    let family = pools.family.sample(rng);
    let middle = '';
    if (pools.middleRate > 0 && rng.chance(pools.middleRate)) {
      const list = gender === 'M' ? pools.middleMale : pools.middleFemale;
      if (list.length) middle = rng.pick(list);
      if (middle === given) middle = '';
    }
    if (culture === 'anglo' && rng.chance(0.012)) {
      const other = pools.family.sample(rng);
      if (other !== family) family = `${family}-${other}`;
    }
    if (culture === 'hispanic' && rng.chance(0.35)) {
      given = ACCENTED.get(given) ?? given;
      family = ACCENTED.get(family) ?? family;
    }
    return { given, middle, family, zh: null };
  }

  /** A birth date as yyyymmdd. */
  private dob(): number {
    const rng = this.rng;
    const y = 2025 - AGES.sample(rng) - (rng.chance(0.6) ? 1 : 0);
    const m = rng.int(1, 12);
    const d = rng.int(1, daysInMonth(y, m));
    return y * 10000 + m * 100 + d;
  }

  address(cc: CountryCode, culture: Culture, company = false): Address {
    const rng = this.rng;
    switch (cc) {
      case 'AU': {
        const sub =
          culture === 'chinese' && rng.chance(0.5) ? rng.pick(AU_CHINESE) : culture === 'vietnamese' && rng.chance(0.5) ? rng.pick(AU_VIETNAMESE) : AU_SUBURBS.sample(rng);
        const [street, usual] = rng.pick(AU_STREETS);
        const type = usual === '*' ? rng.pick(AU_RESIDENTIAL_TYPES) : usual;
        const number = String(rng.chance(0.75) ? rng.int(1, 120) : rng.int(121, 480));
        let unit = '';
        if (company) {
          if (rng.chance(0.04)) return { cc, unit: 'PO Box', number: String(rng.int(10, 9999)), street: '', type: '', streetAlt: '', city: sub.name, region: sub.state, postcode: sub.postcode, zh: null, phoneScheme: AU_LANDLINE_SCHEME[sub.state] };
          if (rng.chance(0.3)) unit = rng.chance(0.6) ? `Level ${rng.int(1, 30)}` : `Suite ${rng.int(1, 40)}`;
        } else if (rng.chance(0.22)) {
          unit = String(rng.int(1, 40));
        }
        return { cc, unit, number, street, type, streetAlt: '', city: sub.name, region: sub.state, postcode: sub.postcode, zh: null, phoneScheme: AU_LANDLINE_SCHEME[sub.state] };
      }
      case 'GB': {
        const c = GB_CITIES.sample(rng);
        const out = rng.pick(c.outcodes);
        const postcode = `${out} ${rng.int(1, 9)}${GB_INWARD_LETTERS.charAt(rng.below(20))}${GB_INWARD_LETTERS.charAt(rng.below(20))}`;
        const base = `${rng.int(1, 180)} ${rng.pick(GB_STREETS)} ${rng.pick(GB_STREET_TYPES)}`;
        const flat = !company && rng.chance(0.15) ? `Flat ${rng.int(1, 24)}` : company && rng.chance(0.3) ? `Unit ${rng.int(1, 30)}` : '';
        const street = flat ? `${flat}, ${base}` : base;
        return { cc, unit: flat, number: '', street, type: '', streetAlt: flat ? `${flat.replace(/^(Flat|Unit) /, '')} ${base}` : base, city: c.city, region: c.county, postcode, zh: null, phoneScheme: c.phone };
      }
      case 'US': {
        const c = US_CITIES.sample(rng);
        const [abbr, full] = rng.pick(US_STREET_TYPES);
        const name = rng.pick(US_STREETS);
        const num = rng.int(10, 9800);
        const apt = rng.chance(company ? 0.35 : 0.25) ? `${company ? 'Suite' : 'Apt'} ${rng.int(1, 40)}${company ? '' : rng.pick(['', '', 'A', 'B', 'C', 'D'])}` : '';
        const street = `${num} ${name} ${abbr}${apt ? ` ${apt}` : ''}`;
        const streetAlt = `${num} ${name} ${full}${apt ? `, ${apt.replace('Apt ', '#')}` : ''}`;
        return { cc, unit: apt, number: String(num), street, type: '', streetAlt, city: c.city, region: c.state, postcode: rng.pick(c.zips), zh: null, phoneScheme: c.phone };
      }
      case 'CN': {
        const c = CN_CITIES.sample(rng);
        const [dS, dT, dEn, postcode] = rng.pick(c.districts);
        const [stS, stT, stEn] = c.streets.length && rng.chance(0.35) ? rng.pick(c.streets) : rng.pick(CN_STREETS);
        const num = rng.int(1, 999);
        const room = rng.chance(0.6) && !company ? [rng.int(1, 30), rng.int(1, 32) * 100 + rng.int(1, 8)] : null;
        const roomZh = room ? `${room[0]}号楼${room[1]}室` : '';
        const roomZhT = room ? `${room[0]}號樓${room[1]}室` : '';
        const street = `${room ? `Room ${room[1]}, Building ${room[0]}, ` : ''}No. ${num} ${stEn}, ${dEn} District`;
        return {
          cc, unit: '', number: String(num), street, type: '', streetAlt: `${num} ${stEn}${room ? ` Bldg ${room[0]} Rm ${room[1]}` : ''}`,
          city: c.en, region: c.provinceEn, postcode,
          zh: { lineS: `${dS}${stS}${num}号${roomZh}`, lineT: `${dT}${stT}${num}號${roomZhT}`, cityS: c.s, cityT: c.t, regionS: c.provinceS, regionT: c.provinceT },
          phoneScheme: c.phone,
        };
      }
      case 'TW': {
        const c = TW_CITIES.sample(rng);
        const [dT, dEn, postcode] = rng.pick(c.districts);
        const [stT, stEn] = rng.pick(TW_STREETS);
        const num = rng.int(1, 399);
        const floor = rng.int(2, 22);
        const lineT = `${dT}${stT}${num}號${floor}樓`;
        return {
          cc, unit: '', number: String(num), street: `${floor}F., No. ${num}, ${stEn}, ${dEn}`, type: '', streetAlt: `No. ${num}, ${stEn}, ${floor}F`,
          city: c.en, region: '', postcode,
          zh: { lineS: lineT, lineT, cityS: c.s, cityT: c.t, regionS: '', regionT: '' },
          phoneScheme: c.phone,
        };
      }
      case 'HK': {
        const [dT, dEn, region, streets] = rng.pick(HK_DISTRICTS);
        const [stT, stEn] = rng.pick(streets);
        const num = rng.int(1, 380);
        const floor = rng.int(2, 45);
        const flat = 'ABCDEFGH'.charAt(rng.below(8));
        return {
          cc, unit: '', number: String(num), street: `Flat ${flat}, ${floor}/F, ${num} ${stEn}`, type: '', streetAlt: `${floor}${flat}, ${num} ${stEn}`,
          city: dEn, region, postcode: '',
          zh: { lineS: `${stT}${num}号${floor}楼${flat}室`, lineT: `${stT}${num}號${floor}樓${flat}室`, cityS: dT, cityT: dT, regionS: '香港', regionT: '香港' },
          phoneScheme: 'HK-L',
        };
      }
      case 'DE': {
        const c = DE_CITIES.sample(rng);
        const st = rng.pick(DE_STREETS);
        const num = `${rng.int(1, 140)}${rng.chance(0.1) ? rng.pick(['a', 'b', 'c']) : ''}`;
        return {
          cc, unit: '', number: num, street: `${st} ${num}`, type: '', streetAlt: `${st.replace(/straße$/, 'str.').replace(/Straße$/, 'Str.')} ${num}`,
          city: c.city, region: c.state, postcode: rng.pick(c.plz), zh: null, phoneScheme: c.phone,
        };
      }
    }
  }

  /** A new address for someone who moved: same city 40 % of the time, else anywhere in the country. */
  moveHouse(e: Entity): Address {
    for (let i = 0; i < 4; i++) {
      const a = this.address(e.cc, e.culture, e.kind === 'company');
      if (this.rng.chance(0.4) && e.cc === 'AU') {
        const same = { ...a, city: e.addr.city, region: e.addr.region, postcode: e.addr.postcode, phoneScheme: e.addr.phoneScheme };
        if (same.street !== e.addr.street || same.number !== e.addr.number) return same;
      }
      if (a.street !== e.addr.street) return a;
    }
    return this.address(e.cc, e.culture, e.kind === 'company');
  }

  /** An e-mail address derived from a person's name, unique in the data set. */
  personEmail(e: Pick<Entity, 'given' | 'family' | 'dob' | 'cc' | 'culture' | 'seq'>, providerOverride?: string): string {
    const rng = this.rng;
    let provider = providerOverride ?? PROVIDERS[e.cc].sample(rng);
    if (!providerOverride && e.culture === 'chinese' && e.cc === 'AU' && rng.chance(0.15)) provider = rng.pick(['qq.com', '163.com', '126.com']);
    if (provider === 'qq.com') {
      for (let i = 0; i < 8; i++) {
        const addr = `${rng.int(10_000_000, 3_999_999_999)}@qq.com`;
        if (this.emails.add(mailboxKey(addr))) return addr;
      }
    }
    const g = nameSlug(e.given);
    const f = nameSlug(e.family);
    const yy = e.dob ? String(Math.floor(e.dob / 10000) % 100).padStart(2, '0') : String(rng.int(10, 99));
    const yyyy = e.dob ? String(Math.floor(e.dob / 10000)) : '';
    for (let i = 0; i < 7; i++) {
      let local: string;
      if (i >= 4) local = `${g}.${f}${rng.int(1, 9999)}`;
      else {
        const r = rng.next();
        local =
          r < 0.3 ? `${g}.${f}` : r < 0.4 ? `${g}${f}` : r < 0.52 ? `${g.charAt(0)}${f}` : r < 0.58 ? `${g}_${f}` : r < 0.62 ? `${f}.${g}` : r < 0.7 ? `${g}.${f}${yy}` :
          r < 0.78 ? `${g}${f}${yy}` : r < 0.82 ? `${g}${yy}` : r < 0.86 ? `${g.charAt(0)}.${f}` : r < 0.89 ? `${f}${g.charAt(0)}` : r < 0.92 && yyyy ? `${f}${g}${yyyy}` : `${g}.${f}${rng.int(1, 99)}`;
      }
      const addr = `${local}@${provider}`;
      if (this.emails.add(mailboxKey(addr))) return addr;
    }
    const addr = `${g}.${f}.${e.seq}@${provider}`;
    this.emails.add(mailboxKey(addr));
    return addr;
  }

  /** A shared household address such as "thesmiths@bigpond.com" (unique in the data set). */
  familyEmail(family: string, cc: CountryCode): string {
    const f = nameSlug(family);
    const provider = PROVIDERS[cc].sample(this.rng);
    for (let i = 0; i < 6; i++) {
      const local = i < 3 ? this.rng.pick([`the${f}s`, `${f}family`, `${f}.family`, `${f}home`]) : `${f}family${this.rng.int(1, 999)}`;
      const addr = `${local}@${provider}`;
      if (this.emails.add(mailboxKey(addr))) return addr;
    }
    return `${f}family${this.seq}@${provider}`;
  }

  company(cc: CountryCode): Entity {
    const rng = this.rng;
    const addr = this.address(cc, 'anglo', true);
    let company = '';
    let companyT = '';
    let companyEn = '';
    let legal = '';
    let domainWords = '';
    switch (cc) {
      case 'AU':
      case 'GB':
      case 'US': {
        const r = rng.next();
        const industry = rng.pick(INDUSTRIES);
        const head = r < 0.6 ? rng.pick(BRANDS) : r < 0.78 ? addr.city : NAME_POOLS.anglo.family.sample(rng) + (rng.chance(0.3) ? rng.pick([' & Sons', ' Bros', ' & Co']) : '');
        legal = (cc === 'AU' ? AU_SUFFIX_TABLE : cc === 'GB' ? GB_SUFFIX_TABLE : US_SUFFIX_TABLE).sample(rng);
        if (head.endsWith('& Co') && legal === '& Co') legal = '';
        company = `${head} ${industry}${legal ? ` ${legal}` : ''}`;
        domainWords = `${head} ${industry}`;
        break;
      }
      case 'DE': {
        const head = rng.chance(0.7) ? NAME_POOLS.german.family.sample(rng) : addr.city;
        legal = DE_SUFFIX_TABLE.sample(rng);
        const industry = rng.pick(DE_INDUSTRIES);
        company = `${head} ${industry}${legal ? ` ${legal}` : ''}`;
        domainWords = `${head} ${industry}`;
        break;
      }
      case 'CN':
      case 'TW':
      case 'HK': {
        const [bS, bT, bPy, bHk] = rng.pick(ZH_BRANDS);
        const [iS, iT, iEn] = rng.pick(ZH_INDUSTRIES);
        const z = addr.zh;
        if (cc === 'CN') {
          company = `${z?.cityS ?? ''}${bS}${iS}有限公司`;
          companyT = `${z?.cityT ?? ''}${bT}${iT}有限公司`;
          companyEn = `${addr.city} ${bPy} ${iEn} Co., Ltd.`;
          legal = 'Co., Ltd.';
        } else if (cc === 'TW') {
          company = `${bS}${iS}股份有限公司`;
          companyT = `${bT}${iT}股份有限公司`;
          companyEn = `${bPy} ${iEn} Co., Ltd.`;
          legal = 'Co., Ltd.';
        } else {
          company = `${bS}${iS}有限公司`;
          companyT = `${bT}${iT}有限公司`;
          companyEn = `${bHk} ${iEn} Limited`;
          legal = 'Limited';
        }
        domainWords = `${bPy} ${iEn}`;
        break;
      }
    }
    const { id, seq } = this.nextId();
    const e: Entity = {
      id, seq, kind: 'company', cc, culture: 'anglo', gender: '', given: '', middle: '', family: '', zh: null, suffix: '',
      company, companyT, companyEn, legal, contactGiven: '', contactFamily: '',
      dob: 0, addr, mobile: null, landline: null, email: '', since: rng.below(SINCE_DAYS), hard: '',
    };
    if (rng.chance(0.7)) {
      const n = this.contactName(cc);
      e.contactGiven = n.given;
      e.contactFamily = n.family;
    }
    e.landline = this.phones.next(addr.phoneScheme);
    if (rng.chance(0.2) && cc !== 'US') e.mobile = this.phones.next(`${cc}-M`);
    if (rng.chance(0.93)) {
      let domain = `${slug(domainWords).slice(0, 24)}.${COMPANY_TLD[cc]}`;
      for (let i = 0; !this.domains.add(domain) && i < 4; i++) domain = `${slug(domainWords).slice(0, 20)}${slug(addr.city).slice(0, 6)}${i || ''}.${COMPANY_TLD[cc]}`;
      e.email = `${rng.pick(COMPANY_MAILBOXES)}@${domain}`;
      this.emails.add(mailboxKey(e.email));
    }
    return e;
  }

  /** A name for a company's contact person (not an entity of the data set). */
  contactName(cc: CountryCode): { given: string; family: string } {
    const n = this.name(cc, CULTURES[cc].sample(this.rng), this.rng.chance(0.5) ? 'M' : 'F');
    return { given: n.given, family: n.family };
  }

  /** Twins: same family name, birth date, address and landline; other given names and mobiles. */
  twinOf(a: Entity): Entity {
    const gender = this.rng.chance(0.6) ? (a.gender as 'M' | 'F') : a.gender === 'M' ? 'F' : 'M';
    let b: Entity | undefined;
    for (let i = 0; i < 5; i++) {
      b = this.person(a.cc, { culture: a.culture, gender, dob: a.dob, addr: a.addr, landline: a.landline, family: a.family });
      if (b.given !== a.given) break;
    }
    const twin = b as Entity;
    if (a.zh && twin.zh) twin.zh = { ...twin.zh, famS: a.zh.famS, famT: a.zh.famT };
    if (a.zh && !twin.zh) twin.family = a.family;
    twin.hard = `twin-of:${a.id}`;
    if (!a.hard) a.hard = `twin-of:${twin.id}`;
    return twin;
  }

  /** A son with his father's name and address, born 22–38 years later. */
  sonOf(father: Entity): Entity | null {
    const fy = Math.floor(father.dob / 10000);
    const sy = fy + this.rng.int(22, 38);
    if (sy > 2006) return null;
    const m = this.rng.int(1, 12);
    const dob = sy * 10000 + m * 100 + this.rng.int(1, daysInMonth(sy, m));
    const son = this.person(father.cc, {
      culture: father.culture, gender: 'M', given: father.given, family: father.family, zh: father.zh, dob, addr: father.addr, landline: father.landline,
      middle: this.rng.chance(0.5) ? father.middle : '',
    });
    son.hard = `son-of:${father.id}`;
    son.suffix = 'Jr';
    father.suffix = 'Snr';
    if (!father.hard) father.hard = `father-of:${son.id}`;
    return son;
  }

  /** A spouse at the same address and landline; usually the same family name. */
  spouseOf(a: Entity): Entity {
    const rng = this.rng;
    const shareName = a.culture !== 'chinese' && a.culture !== 'korean' && a.culture !== 'vietnamese' && rng.chance(0.75);
    const y = Math.floor(a.dob / 10000) + rng.int(-6, 6);
    const m = rng.int(1, 12);
    const dob = Math.min(2006, y) * 10000 + m * 100 + rng.int(1, 28);
    const fixed: Partial<Entity> = { gender: a.gender === 'M' ? 'F' : 'M', dob, addr: a.addr, landline: a.landline };
    if (rng.chance(0.85) || shareName) fixed.culture = a.culture;
    if (shareName) fixed.family = a.family;
    const s = this.person(a.cc, fixed);
    if (shareName && rng.chance(0.2)) {
      a.email = this.familyEmail(a.family, a.cc);
      s.email = a.email;
    }
    s.hard = `spouse-of:${a.id}`;
    if (!a.hard) a.hard = `spouse-of:${s.id}`;
    return s;
  }

  /** Someone else with a common name of a recent customer and the same birth year; nothing else shared. */
  namesakeOf(a: Entity): Entity {
    const y = Math.floor(a.dob / 10000);
    const m = this.rng.int(1, 12);
    const dob = y * 10000 + m * 100 + this.rng.int(1, daysInMonth(y, m));
    const cc = this.rng.chance(0.8) ? a.cc : 'AU';
    const n = this.person(cc, { culture: a.culture, gender: a.gender as 'M' | 'F', given: a.given, family: a.family, zh: a.zh, middle: '', dob });
    if (n.dob === a.dob) n.dob = a.dob === y * 10000 + 101 ? y * 10000 + 102 : y * 10000 + 101;
    n.hard = `namesake-of:${a.id}`;
    return n;
  }
}

/** Days covered by `since` and update stamps: 2010-01-01 … 2025-09-30. */
export const SINCE_DAYS = 5752;
const DAY0 = Date.UTC(2010, 0, 1);
/** yyyymmdd of each day since 2010-01-01 (for update stamps). */
export const DAY_DATES: Int32Array = (() => {
  const out = new Int32Array(SINCE_DAYS + 1);
  for (let i = 0; i <= SINCE_DAYS; i++) {
    const d = new Date(DAY0 + i * 86_400_000);
    out[i] = d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
  }
  return out;
})();
