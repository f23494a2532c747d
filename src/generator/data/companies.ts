/** Parts that make up company names per country, and the legal suffixes records vary on. */

const words = (s: string): string[] => s.trim().split(/\s*,\s*/);

/** Brand words for English-named companies (AU, GB, US). */
export const BRANDS: readonly string[] = words(`
  Bluegum, Redgum, Coastal, Harbourside, Ironbark, Southern Cross, Outback, Kookaburra, Wattle, Banksia, Saltwater,
  Lyrebird, Brightwater, Northside, Eastern, Summit, Pinnacle, Horizon, Golden Wattle, Acacia, Riverina, Sunshine,
  Capricorn, Tasman, Pacific, Coral, Silverleaf, Greenfield, Highland, Bayside, Westside, Metro, Precision, Allied,
  Premier, Apex, Crest, Evergreen, Firstline, Keystone, Landmark, Meridian, Northstar, Oakwood, Paragon, Quantum,
  Redwood, Sterling, Trident, Unity, Vantage, Wildflower, Blue Ridge, Granite Peak, Blue Heron, Thames Valley,
  Pennine, Castlegate, Northern Lights, Riverside, Lakeside, Hilltop, Cornerstone, Bridgewater, Clearwater, Stonebridge
`);
export const INDUSTRIES: readonly string[] = words(`
  Plumbing, Electrical, Timber Supplies, Analytics, Print Co, Solar, Dental, Grain Traders, Civil, Marine Supplies,
  Accountants, Software, Cleaning Services, Early Learning, Physiotherapy, Logistics, Cabling, Constructions, Legal,
  Catering, Motors, Landscaping, Engineering, Roofing, Pharmacy, Realty, Freight, Consulting, Imports, Hardware,
  Medical Centre, Bakery, Joinery, Tiling, Air Conditioning, Security, Hair Studio, Fitness, Veterinary Clinic,
  Financial Planning, Travel, Removals, Auto Repairs, Pest Control, Glass & Glazing, Signs, Packaging, Nursery
`);
export const AU_SUFFIXES: readonly (readonly [string, number])[] = [
  ['Pty Ltd', 62], ['Pty. Ltd.', 8], ['', 12], ['Group', 4], ['& Co', 3], ['Holdings Pty Ltd', 4], ['Services Pty Ltd', 4], ['Australia Pty Ltd', 3],
];
export const GB_SUFFIXES: readonly (readonly [string, number])[] = [['Ltd', 60], ['Limited', 15], ['LLP', 5], ['', 15], ['& Sons Ltd', 5]];
export const US_SUFFIXES: readonly (readonly [string, number])[] = [['LLC', 45], ['Inc.', 25], ['Inc', 8], ['Corp.', 7], ['Co.', 5], ['', 10]];

/** How one legal form is written differently by different clerks. */
export const SUFFIX_VARIANTS: ReadonlyMap<string, readonly string[]> = new Map([
  ['Pty Ltd', ['P/L', 'Pty. Ltd.', 'Pty Limited', 'PTY LTD', '']],
  ['Pty. Ltd.', ['Pty Ltd', 'P/L', '']],
  ['Ltd', ['Limited', 'Ltd.', '']],
  ['Limited', ['Ltd', 'Ltd.']],
  ['LLC', ['L.L.C.', 'Llc', '']],
  ['Inc.', ['Inc', 'Incorporated', '']],
  ['Inc', ['Inc.', 'Incorporated']],
  ['Corp.', ['Corporation', 'Corp']],
  ['GmbH', ['Gmbh', 'G.m.b.H.', '']],
  ['GmbH & Co. KG', ['GmbH & Co KG', 'GmbH u. Co. KG']],
  ['AG', ['Aktiengesellschaft', '']],
  ['Co., Ltd.', ['Co. Ltd', 'Company Limited', 'Co.,Ltd']],
]);

export const DE_INDUSTRIES: readonly string[] = words(`
  Maschinenbau, Logistik, Bau, Elektrotechnik, Immobilien, Steuerberatung, Software, Handel, Metallbau,
  Gebäudereinigung, Druckerei, Autohaus, Medizintechnik, Spedition, Consulting, Sanitär, Haustechnik, Gartenbau
`);
export const DE_SUFFIXES: readonly (readonly [string, number])[] = [['GmbH', 65], ['GmbH & Co. KG', 15], ['AG', 5], ['e.K.', 5], ['', 10]];

/** Brand (simplified, traditional, pinyin, Cantonese / Wade–Giles romanisation). */
export const ZH_BRANDS: readonly (readonly [string, string, string, string])[] = [
  ['恒信', '恆信', 'Hengxin', 'Hang Shun'], ['瑞丰', '瑞豐', 'Ruifeng', 'Sui Fung'], ['星澜', '星瀾', 'Xinglan', 'Sing Lan'],
  ['青禾', '青禾', 'Qinghe', 'Tsing Wo'], ['明辉', '明輝', 'Minghui', 'Ming Fai'], ['华天', '華天', 'Huatian', 'Wah Tin'],
  ['宏达', '宏達', 'Hongda', 'Wang Tat'], ['金鹏', '金鵬', 'Jinpeng', 'Kam Pang'], ['佳美', '佳美', 'Jiamei', 'Kai Mei'],
  ['永安', '永安', 'Yong\'an', 'Wing On'], ['东方', '東方', 'Dongfang', 'Tung Fong'], ['长城', '長城', 'Changcheng', 'Cheung Shing'],
  ['新世纪', '新世紀', 'Xinshiji', 'Sun Sai Kei'], ['国泰', '國泰', 'Guotai', 'Kwok Tai'], ['盛世', '盛世', 'Shengshi', 'Shing Sai'],
];
/** Industry (simplified, traditional, English). */
export const ZH_INDUSTRIES: readonly (readonly [string, string, string])[] = [
  ['科技', '科技', 'Technology'], ['贸易', '貿易', 'Trading'], ['电子', '電子', 'Electronics'], ['茶业', '茶業', 'Tea'],
  ['包装', '包裝', 'Packaging'], ['建材', '建材', 'Building Materials'], ['物流', '物流', 'Logistics'], ['食品', '食品', 'Foods'],
  ['服装', '服裝', 'Garments'], ['医药', '醫藥', 'Pharmaceutical'], ['实业', '實業', 'Industrial'], ['投资', '投資', 'Investment'],
];

/** Mailbox names companies use. */
export const COMPANY_MAILBOXES: readonly string[] = words('info, accounts, admin, office, sales, enquiries, hello, contact, reception, orders');

/** Sales reps who own CRM contacts (an unmapped column). */
export const SALES_OWNERS: readonly string[] = words(
  "J. Morrison, A. Patel, K. Zhou, S. O'Neill, M. Rossi, T. Nguyen, L. Brown, R. Singh, E. Walsh, D. Kim, C. Taylor, H. Becker, P. Chan, G. Wilson, N. Haddad",
);
