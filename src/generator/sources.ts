/**
 * The three source systems of the generated company and how each writes a customer:
 *
 * - `erp`: ERP export. Comma-separated UTF-8, ISO dates, given and family name apart (Chinese
 *   customers mostly in simplified characters), ISO country codes, `updated_at` stamps.
 * - `crm`: the sales team's spreadsheet. Excel "CSV UTF-8" (BOM, `;`, CRLF), one `Name` column in
 *   many shapes ("Smith, Bob", "WANG Fang", "Dr Helen Fraser", traditional characters 陳嘉怡),
 *   d/m/y dates, local phone formats, free-text countries.
 * - `legacy`: an old client system. `|`-separated, CRLF, ASCII upper case, values padded to fixed
 *   widths (and cut when longer), yyyymmdd dates, Australians only.
 */
import { ACCENTED } from './data/names.js';
import { AU_STREET_TYPES } from './data/places.js';
import { SALES_OWNERS } from './data/companies.js';
import { formatPhone, pickStyle, type Phone, type PhoneStyle } from './phones.js';
import { DAY_DATES, type Entity } from './population.js';
import type { Rng } from './prng.js';
import { germanAscii, PAD2, toAscii } from './text.js';

export const SOURCE_NAMES = ['erp', 'crm', 'legacy'] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

export interface SourceLayout {
  name: SourceName;
  file: string;
  columns: readonly string[];
  /** Index of the key column in `columns`. */
  keyIndex: number;
  delimiter: string;
  bom: boolean;
  eol: string;
  /** Fixed widths (legacy): values are padded to, and cut at, these widths. */
  widths: readonly number[] | null;
  /** Columns a keyboard slip may hit, with weights (person records). */
  typoColumns: readonly (readonly [number, number])[];
  /** The same for company records. */
  companyTypoColumns: readonly (readonly [number, number])[];
  /** Configuration of the source (YAML lines under `sources:`), with `{file}` for the path. */
  config: string;
  /** "typo:COLUMN" per column (notes are shared strings, not built per row). */
  typoNotes: readonly string[];
}

export const SOURCE_LAYOUTS: Readonly<Record<SourceName, SourceLayout>> = withTypoNotes({
  erp: {
    name: 'erp',
    file: 'erp.csv',
    columns: ['customer_no', 'first_name', 'last_name', 'company', 'email', 'phone', 'date_of_birth', 'street', 'city', 'state', 'postcode', 'country', 'updated_at'],
    keyIndex: 0,
    delimiter: ',',
    bom: false,
    eol: '\n',
    widths: null,
    typoColumns: [[1, 3], [2, 4], [7, 2], [8, 1], [4, 1]],
    companyTypoColumns: [[3, 5], [7, 2], [8, 1], [4, 1]],
    config: `  # ERP export: comma-separated UTF-8, ISO dates, Chinese names mostly in simplified characters
  - name: erp
    kind: csv
    path: ./{file}
    delimiter: ","
    key: customer_no
    country: AU                 # the country column wins when set
    mapping:
      given_name: first_name
      family_name: last_name
      company_name: company
      email: email
      phone: phone
      birth_date: date_of_birth
      address_line1: street
      city: city
      region: state
      postal_code: postcode
      country: country
      source_updated_at: updated_at
`,
  },
  crm: {
    name: 'crm',
    file: 'crm.csv',
    columns: ['Contact ID', 'Name', 'Company', 'E-Mail', 'Tel', 'Birthday', 'Address', 'City', 'Postcode', 'Country', 'Owner', 'Last Contact'],
    keyIndex: 0,
    delimiter: ';',
    bom: true,
    eol: '\r\n',
    widths: null,
    typoColumns: [[1, 6], [6, 2], [7, 1], [3, 1]],
    companyTypoColumns: [[2, 6], [6, 2], [7, 1], [3, 1]],
    config: `  # Sales spreadsheet: Excel "CSV UTF-8" (BOM, ";", CRLF), one Name column, d/m/y dates
  - name: crm
    kind: csv
    path: ./{file}
    encoding: utf-8
    delimiter: ";"
    key: Contact ID
    country: AU
    date_order: dmy
    mapping:
      full_name: Name           # "Smith, Bob", "WANG Fang", "Dr Helen Fraser", "陳嘉怡", …
      company_name: Company
      email: E-Mail
      phone: Tel
      birth_date: Birthday
      address_line1: Address
      city: City
      postal_code: Postcode
      country: Country          # free text: Australia, UK, USA, 中国, 台灣, Deutschland, … or empty
      source_updated_at: Last Contact
      # Owner (the sales rep) stays an unmapped extra column.
`,
  },
  legacy: {
    name: 'legacy',
    file: 'legacy.csv',
    columns: ['CLT_ID', 'SURNAME', 'GIVEN', 'SEX', 'DOB', 'ADDR1', 'SUBURB', 'STATE', 'PCODE', 'PHONE', 'EMAIL'],
    keyIndex: 0,
    delimiter: '|',
    bom: false,
    eol: '\r\n',
    widths: [8, 24, 20, 3, 8, 34, 22, 3, 4, 14, 40],
    typoColumns: [[1, 4], [2, 3], [5, 2], [6, 1]],
    companyTypoColumns: [[1, 5], [5, 2], [6, 1]],
    config: `  # Legacy client system: "|"-separated, ASCII upper case, padded, yyyymmdd dates, Australians only
  - name: legacy
    kind: csv
    path: ./{file}
    encoding: utf-8
    delimiter: "|"
    key: CLT_ID                 # zero-padded: keep it a string
    country: AU
    date_order: ymd             # 00000000 and 19000101 mean "unknown"
    mapping:
      family_name: SURNAME      # companies carry their name here with GIVEN empty
      given_name: GIVEN
      gender: SEX
      birth_date: DOB
      address_line1: ADDR1
      city: SUBURB
      region: STATE
      postal_code: PCODE
      phone: PHONE
      email: EMAIL
`,
  },
});

function withTypoNotes(layouts: Record<SourceName, Omit<SourceLayout, 'typoNotes'>>): Record<SourceName, SourceLayout> {
  const out = {} as Record<SourceName, SourceLayout>;
  for (const [name, l] of Object.entries(layouts) as [SourceName, Omit<SourceLayout, 'typoNotes'>][]) {
    out[name] = { ...l, typoNotes: l.columns.map((c) => `typo:${c}`) };
  }
  return out;
}

/**
 * One appearance of an entity in a source: the entity's true values plus what this record does
 * differently (set by variations.ts before rendering).
 */
export interface View extends Entity {
  source: SourceName;
  notes: string[];
  /** Which number the record holds; '' = the source's habit. */
  phonePref: 'mobile' | 'landline' | '';
  phoneRaw: string | null;
  dobRaw: string | null;
  emailRaw: string | null;
  postcodeRaw: string | null;
  /** Write a Chinese name in Latin letters even where the source would use characters. */
  latin: boolean;
  /** Chinese given name with its syllables apart ("Xiu Ying"). */
  givenSplit: boolean;
  showMiddle: 'full' | 'initial' | '';
  initialOnly: boolean;
  dropAddress: boolean;
  /** Write the alternative form of a non-Australian street line. */
  addrAlt: boolean;
  accents: 'drop' | 'translit' | 'add' | '';
  /** Day (since 2010-01-01) the record was last updated. */
  updated: number;
  /** Keyboard slips to apply to the rendered row. */
  typos: number;
  /** Company name as this record writes it (null: as the entity). */
  companyName: string | null;
}

const MONTH_ABBR = ['', 'Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const CRM_COUNTRY: Readonly<Record<string, readonly (readonly [string, number])[]>> = {
  AU: [['Australia', 45], ['AU', 15], ['', 40]],
  GB: [['United Kingdom', 40], ['UK', 40], ['England', 10], ['GB', 10]],
  US: [['USA', 50], ['United States', 30], ['US', 20]],
  CN: [['China', 60], ['中国', 25], ['PRC', 15]],
  TW: [['Taiwan', 70], ['台灣', 30]],
  HK: [['Hong Kong', 70], ['香港', 20], ['HK', 10]],
  DE: [['Germany', 60], ['Deutschland', 30], ['DE', 10]],
};
const COUNTRY_NAME: Readonly<Record<string, string>> = { AU: 'Australia', GB: 'United Kingdom', US: 'United States', CN: 'China', TW: 'Taiwan', HK: 'Hong Kong', DE: 'Germany' };

function weighted<T>(rng: Rng, table: readonly (readonly [T, number])[]): T {
  let total = 0;
  for (const [, w] of table) total += w;
  let r = rng.next() * total;
  for (const [v, w] of table) if ((r -= w) < 0) return v;
  return (table[0] as readonly [T, number])[0];
}

function accent(s: string, how: View['accents']): string {
  if (how === 'drop') return toAscii(s);
  if (how === 'translit') return germanAscii(s);
  if (how === 'add') return s.split(' ').map((w) => ACCENTED.get(w) ?? w).join(' ');
  return s;
}

/** Latin given name as this record writes it (nickname, initial, middle name already applied to `given`). */
function givenLatin(v: View, rng: Rng, middleRate: number): string {
  let g = v.givenSplit && v.zh ? v.zh.givSplit : v.given;
  if (v.initialOnly) return g.charAt(0) + (rng.chance(0.5) ? '.' : '');
  if (v.middle && (v.showMiddle === 'full' || (v.showMiddle === '' && rng.chance(middleRate)))) g = `${g} ${v.middle}`;
  else if (v.middle && v.showMiddle === 'initial') g = `${g} ${v.middle.charAt(0)}.`;
  return accent(g, v.accents);
}

function familyLatin(v: View): string {
  return accent(v.family, v.accents);
}

/** Chinese characters for the name in this record, or null to write it in Latin letters. */
function hanzi(v: View, rng: Rng, rate: number, traditional: boolean): { fam: string; giv: string } | null {
  if (!v.zh || v.latin || !rng.chance(rate)) return null;
  return traditional ? { fam: v.zh.famT, giv: v.zh.givT } : { fam: v.zh.famS, giv: v.zh.givS };
}

function choosePhone(v: View, prefer: 'mobile' | 'landline'): Phone | null {
  const want = v.phonePref || prefer;
  return want === 'mobile' ? (v.mobile ?? v.landline) : (v.landline ?? v.mobile);
}

const ERP_PHONE_AU: readonly (readonly [PhoneStyle, number])[] = [['national', 45], ['paren', 10], ['intl', 30], ['compact', 10], ['e164', 5]];
const ERP_PHONE_FOREIGN: readonly (readonly [PhoneStyle, number])[] = [['intl', 60], ['national', 30], ['e164', 10]];
const CRM_PHONE_AU: readonly (readonly [PhoneStyle, number])[] = [['national', 47], ['compact', 21], ['paren', 8], ['intl', 11], ['dashed', 5], ['noPlus', 3], ['e164', 5]];
const CRM_PHONE_FOREIGN: readonly (readonly [PhoneStyle, number])[] = [['intl', 60], ['national', 20], ['e164', 10], ['idd', 5], ['noPlus', 5]];
const LEGACY_PHONE: readonly (readonly [PhoneStyle, number])[] = [['compact', 60], ['national', 25], ['noTrunk', 10], ['dashed', 5]];

function phoneText(v: View, rng: Rng, prefer: 'mobile' | 'landline', styles: readonly (readonly [PhoneStyle, number])[]): string {
  if (v.phoneRaw !== null) return v.phoneRaw;
  const p = choosePhone(v, prefer);
  if (!p) return '';
  let style = pickStyle(rng, styles);
  if (style === 'national' && p.cc === 'AU' && !p.mobile && rng.chance(0.4)) style = 'paren';
  // "00" is the international prefix only in some countries; a German number without "+" is ambiguous.
  if (style === 'idd' && p.cc !== 'GB' && p.cc !== 'DE' && p.cc !== 'CN' && p.cc !== 'US') style = 'intl';
  if (style === 'noPlus' && p.cc === 'DE') style = 'e164';
  return formatPhone(p, style);
}

function auStreet(v: View, style: 'abbr' | 'full' | 'unitWord'): string {
  const a = v.addr;
  if (a.unit === 'PO Box') return `PO Box ${a.number}`;
  const type = style === 'full' ? (AU_STREET_TYPES.get(a.type) ?? a.type) : a.type;
  const base = `${a.number} ${a.street}${type ? ` ${type}` : ''}`;
  if (!a.unit) return base;
  if (/^\d/.test(a.unit)) return style === 'unitWord' ? `Unit ${a.unit}, ${base}` : `${a.unit}/${base}`;
  return `${a.unit}, ${base}`;
}

function isoDate(d: number): string {
  const y = Math.floor(d / 10000);
  return `${y}-${PAD2[Math.floor(d / 100) % 100]}-${PAD2[d % 100]}`;
}
function dmyDate(d: number, sep: string, padded: boolean): string {
  const y = Math.floor(d / 10000);
  const m = Math.floor(d / 100) % 100;
  const day = d % 100;
  return padded ? `${PAD2[day]}${sep}${PAD2[m]}${sep}${y}` : `${day}${sep}${m}${sep}${y}`;
}
function stamp(v: View, rng: Rng): string {
  return `${isoDate(DAY_DATES[Math.min(v.updated, DAY_DATES.length - 1)] as number)} ${PAD2[rng.int(7, 19)]}:${PAD2[rng.below(60)]}:${PAD2[rng.below(60)]}`;
}

/** The company name as a record writes it: per script for Chinese companies. */
function companyText(v: View, rng: Rng, source: SourceName): string {
  if (v.companyName !== null) return v.companyName;
  if (!v.companyT) return v.company;
  if (source === 'erp') return v.cc === 'CN' ? (rng.chance(0.7) ? v.company : v.companyEn) : rng.chance(0.5) ? v.companyT : v.companyEn;
  const r = rng.next();
  return v.cc === 'CN' ? (r < 0.4 ? v.companyT : r < 0.8 ? v.companyEn : v.company) : r < 0.6 ? v.companyT : v.companyEn;
}

/** Renders one ERP row (key left empty: it is assigned when the row is written). */
export function renderErp(v: View, rng: Rng): string[] {
  let first = '';
  let last = '';
  let company = '';
  let zhScript = false;
  if (v.kind === 'person') {
    const trad = v.cc === 'TW' || v.cc === 'HK';
    const h = hanzi(v, rng, v.cc === 'CN' ? 0.85 : trad ? 0.35 : 0.55, trad);
    if (h) {
      first = h.giv;
      last = h.fam;
      zhScript = true;
    } else {
      first = givenLatin(v, rng, 0.1);
      last = familyLatin(v);
    }
  } else {
    company = companyText(v, rng, 'erp');
    zhScript = company !== '' && /[\u3400-\u9fff]/.test(company);
    if (v.contactGiven && rng.chance(0.3)) {
      first = v.contactGiven;
      last = v.contactFamily;
    }
  }
  const a = v.addr;
  const foreign = v.cc !== 'AU';
  let street = '';
  let city = a.city;
  let region = a.region;
  if (!v.dropAddress) {
    if (a.zh && zhScript) street = v.cc === 'CN' ? a.zh.lineS : a.zh.lineT;
    else if (v.cc === 'AU') street = auStreet(v, rng.chance(0.6) ? 'abbr' : rng.chance(0.85) ? 'full' : 'unitWord');
    else street = v.addrAlt ? a.streetAlt : a.street;
  }
  if (a.zh && zhScript) {
    city = v.cc === 'CN' ? a.zh.cityS : a.zh.cityT;
    region = v.cc === 'CN' ? a.zh.regionS : a.zh.regionT;
  }
  const r = rng.next();
  const country = r < 0.93 ? v.cc : r < 0.98 ? (COUNTRY_NAME[v.cc] ?? v.cc) : foreign ? v.cc : '';
  return [
    '',
    first,
    last,
    company,
    v.emailRaw ?? v.email,
    phoneText(v, rng, v.kind === 'company' || rng.chance(0.5) ? 'landline' : 'mobile', foreign ? ERP_PHONE_FOREIGN : ERP_PHONE_AU),
    v.dobRaw ?? (v.dob && !rng.chance(0.02) ? isoDate(v.dob) : ''),
    street,
    v.dropAddress && rng.chance(0.5) ? '' : city,
    v.dropAddress && rng.chance(0.5) ? '' : region,
    v.postcodeRaw ?? (v.dropAddress ? '' : a.postcode),
    country,
    stamp(v, rng),
  ];
}

function crmPersonName(v: View, rng: Rng): string {
  const trad = v.cc === 'TW' || v.cc === 'HK';
  const h = hanzi(v, rng, trad ? 0.6 : 0.55, true);
  if (h) return h.fam + h.giv;
  const given = givenLatin(v, rng, 0.05);
  const family = familyLatin(v);
  if (v.zh) {
    const r = rng.next();
    if (r < 0.4) return `${toAscii(family).toUpperCase()} ${given}`;
    if (r < 0.8) return `${given} ${family}`;
    return `${family} ${given}`;
  }
  if (v.culture === 'vietnamese') {
    const r = rng.next();
    if (r < 0.35 && v.middle && !v.initialOnly) return `${family} ${accent(v.middle, v.accents)} ${accent(v.given, v.accents)}`;
    if (r < 0.45 && v.middle && !v.initialOnly) return `${accent(v.middle, v.accents)} ${accent(v.given, v.accents)} ${family}`;
  }
  const suffix = v.suffix && rng.chance(0.5) ? ` ${v.suffix === 'Snr' ? rng.pick(['Snr', 'Sr', 'Sr.']) : rng.pick(['Jr', 'Jnr', 'Jr.'])}` : '';
  const r = rng.next();
  if (r < 0.56) return `${given} ${family}${suffix}`;
  if (r < 0.74) return `${family}, ${given}`;
  if (r < 0.81) return `${toAscii(family).toUpperCase()} ${given}`;
  if (r < 0.87) return `${given} ${family}`.toUpperCase();
  if (r < 0.96) {
    const title = v.gender === 'F' ? rng.pick(['Ms', 'Mrs', 'Ms.', 'Mrs.', 'Dr', 'Miss']) : rng.pick(['Mr', 'Mr.', 'Dr', 'Dr.', 'Prof.']);
    return `${title} ${given} ${family}${suffix}`;
  }
  return `${given} ${family}`.toLowerCase();
}

/** Renders one CRM row (key left empty). */
export function renderCrm(v: View, rng: Rng): string[] {
  let name = '';
  let company = '';
  if (v.kind === 'person') name = crmPersonName(v, rng);
  else {
    company = companyText(v, rng, 'crm');
    if (v.contactGiven && rng.chance(0.6)) name = `${v.contactGiven} ${v.contactFamily}`;
  }
  const zhScript = /[\u3400-\u9fff]/.test(name || company);
  const a = v.addr;
  const foreign = v.cc !== 'AU';
  let address = '';
  if (!v.dropAddress) {
    if (a.zh && zhScript) address = a.zh.lineT;
    else if (v.cc === 'AU') {
      const r = rng.next();
      address = auStreet(v, r < 0.5 ? 'abbr' : r < 0.78 ? 'full' : 'unitWord');
      // Some reps type the unit on its own line.
      if (a.unit && rng.chance(0.02)) address = address.replace(/^(Unit \d+|Level \d+|Suite \d+), /, '$1\n');
    } else address = v.addrAlt || rng.chance(0.3) ? a.streetAlt : a.street;
  }
  const city = a.zh && zhScript ? a.zh.cityT : a.city;
  let birthday = '';
  if (v.dobRaw !== null) birthday = v.dobRaw;
  else if (v.dob && rng.chance(0.8)) {
    const r = rng.next();
    if (v.cc === 'DE' && r < 0.6) birthday = dmyDate(v.dob, '.', true);
    else if (r < 0.66) birthday = dmyDate(v.dob, '/', true);
    else if (r < 0.88) birthday = dmyDate(v.dob, '/', false);
    else if (r < 0.93) birthday = dmyDate(v.dob, '-', true);
    else birthday = `${v.dob % 100} ${MONTH_ABBR[Math.floor(v.dob / 100) % 100]} ${Math.floor(v.dob / 10000)}`;
  }
  const last = DAY_DATES[Math.min(v.updated, DAY_DATES.length - 1)] as number;
  let tel = phoneText(v, rng, 'mobile', foreign ? CRM_PHONE_FOREIGN : CRM_PHONE_AU);
  if (v.zh && v.phoneRaw === null && tel && rng.chance(0.04)) {
    const p = choosePhone(v, 'mobile');
    if (p) tel = formatPhone(p, 'fullwidth');
  }
  return [
    '',
    name,
    company,
    v.emailRaw ?? v.email,
    tel,
    birthday,
    address,
    v.dropAddress && rng.chance(0.5) ? '' : city,
    v.postcodeRaw ?? (v.dropAddress ? '' : a.postcode),
    weighted(rng, CRM_COUNTRY[v.cc] ?? [[v.cc, 1]]),
    rng.pick(SALES_OWNERS),
    dmyDate(last, '/', true),
  ];
}

/** Renders one legacy row (key left empty; padding is the writer's job). */
export function renderLegacy(v: View, rng: Rng): string[] {
  let surname: string;
  let given = '';
  if (v.kind === 'company') surname = toAscii(v.companyName ?? v.company).toUpperCase();
  else {
    surname = toAscii(familyLatin(v)).toUpperCase();
    given = toAscii(givenLatin(v, rng, 0.3)).toUpperCase();
    if (v.zh && !v.givenSplit && !v.initialOnly && rng.chance(0.25)) given = toAscii(v.zh.givSplit).toUpperCase();
    if (v.culture === 'vietnamese' && v.middle && !v.initialOnly && rng.chance(0.4)) given = `${toAscii(v.middle)} ${toAscii(v.given)}`.toUpperCase();
  }
  let dob = '';
  if (v.dobRaw !== null) dob = v.dobRaw;
  else if (v.dob) dob = String(v.dob);
  else if (v.kind === 'person') dob = rng.chance(0.5) ? '00000000' : '';
  const a = v.addr;
  const sex = v.kind === 'company' ? '' : rng.chance(0.95) ? v.gender : rng.chance(0.5) ? 'U' : '';
  return [
    '',
    surname,
    given,
    sex,
    dob,
    v.dropAddress ? '' : toAscii(auStreet(v, 'abbr')).toUpperCase(),
    v.dropAddress && rng.chance(0.5) ? '' : toAscii(a.city).toUpperCase(),
    v.dropAddress && rng.chance(0.5) ? '' : a.region,
    v.postcodeRaw ?? (v.dropAddress ? '' : a.postcode),
    phoneText(v, rng, 'landline', LEGACY_PHONE),
    (v.emailRaw ?? v.email).toUpperCase(),
  ];
}

export const RENDERERS: Readonly<Record<SourceName, (v: View, rng: Rng) => string[]>> = {
  erp: renderErp,
  crm: renderCrm,
  legacy: renderLegacy,
};

/** Hands out each source's record keys in file order: C1000001…, SC-1000001…, 00000001…. */
export class KeyAllocator {
  private erp = 1_000_000;
  private crm = 1_000_000;
  private legacy = 0;

  next(source: SourceName, rng: Rng): string {
    switch (source) {
      case 'erp':
        // Gaps: customers deleted or merged in the ERP over the years.
        this.erp += rng.chance(0.12) ? rng.int(2, 6) : 1;
        return `C${this.erp}`;
      case 'crm':
        this.crm += 1;
        return `SC-${this.crm}`;
      case 'legacy': {
        this.legacy += rng.chance(0.3) ? rng.int(2, 4) : 1;
        const s = String(this.legacy);
        return s.length >= 8 ? s : '0'.repeat(8 - s.length) + s;
      }
    }
  }
}
