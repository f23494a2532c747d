// ISO 3166-1 alpha-2 → alpha-3 for every officially assigned code (249), plus XK (Kosovo), a
// user-assigned code in wide use (internal module).
const PAIRS =
  'AD AND AE ARE AF AFG AG ATG AI AIA AL ALB AM ARM AO AGO AQ ATA AR ARG AS ASM AT AUT AU AUS AW ABW ' +
  'AX ALA AZ AZE BA BIH BB BRB BD BGD BE BEL BF BFA BG BGR BH BHR BI BDI BJ BEN BL BLM BM BMU BN BRN ' +
  'BO BOL BQ BES BR BRA BS BHS BT BTN BV BVT BW BWA BY BLR BZ BLZ CA CAN CC CCK CD COD CF CAF CG COG ' +
  'CH CHE CI CIV CK COK CL CHL CM CMR CN CHN CO COL CR CRI CU CUB CV CPV CW CUW CX CXR CY CYP CZ CZE ' +
  'DE DEU DJ DJI DK DNK DM DMA DO DOM DZ DZA EC ECU EE EST EG EGY EH ESH ER ERI ES ESP ET ETH FI FIN ' +
  'FJ FJI FK FLK FM FSM FO FRO FR FRA GA GAB GB GBR GD GRD GE GEO GF GUF GG GGY GH GHA GI GIB GL GRL ' +
  'GM GMB GN GIN GP GLP GQ GNQ GR GRC GS SGS GT GTM GU GUM GW GNB GY GUY HK HKG HM HMD HN HND HR HRV ' +
  'HT HTI HU HUN ID IDN IE IRL IL ISR IM IMN IN IND IO IOT IQ IRQ IR IRN IS ISL IT ITA JE JEY JM JAM ' +
  'JO JOR JP JPN KE KEN KG KGZ KH KHM KI KIR KM COM KN KNA KP PRK KR KOR KW KWT KY CYM KZ KAZ LA LAO ' +
  'LB LBN LC LCA LI LIE LK LKA LR LBR LS LSO LT LTU LU LUX LV LVA LY LBY MA MAR MC MCO MD MDA ME MNE ' +
  'MF MAF MG MDG MH MHL MK MKD ML MLI MM MMR MN MNG MO MAC MP MNP MQ MTQ MR MRT MS MSR MT MLT MU MUS ' +
  'MV MDV MW MWI MX MEX MY MYS MZ MOZ NA NAM NC NCL NE NER NF NFK NG NGA NI NIC NL NLD NO NOR NP NPL ' +
  'NR NRU NU NIU NZ NZL OM OMN PA PAN PE PER PF PYF PG PNG PH PHL PK PAK PL POL PM SPM PN PCN PR PRI ' +
  'PS PSE PT PRT PW PLW PY PRY QA QAT RE REU RO ROU RS SRB RU RUS RW RWA SA SAU SB SLB SC SYC SD SDN ' +
  'SE SWE SG SGP SH SHN SI SVN SJ SJM SK SVK SL SLE SM SMR SN SEN SO SOM SR SUR SS SSD ST STP SV SLV ' +
  'SX SXM SY SYR SZ SWZ TC TCA TD TCD TF ATF TG TGO TH THA TJ TJK TK TKL TL TLS TM TKM TN TUN TO TON ' +
  'TR TUR TT TTO TV TUV TW TWN TZ TZA UA UKR UG UGA UM UMI US USA UY URY UZ UZB VA VAT VC VCT VE VEN ' +
  'VG VGB VI VIR VN VNM VU VUT WF WLF WS WSM YE YEM YT MYT ZA ZAF ZM ZMB ZW ZWE XK XKX';

/** [alpha-2, alpha-3] pairs. */
export const COUNTRY_CODES: ReadonlyArray<readonly [string, string]> = (() => {
  const parts = PAIRS.split(' ');
  const out: Array<readonly [string, string]> = [];
  for (let i = 0; i + 1 < parts.length; i += 2) out.push([parts[i] ?? '', parts[i + 1] ?? '']);
  return out;
})();

/**
 * Other names and spellings people write, by alpha-2 code; keys are compared after the same
 * folding as generated names (lower case, no accents or punctuation).
 */
export const COUNTRY_ALIASES: Readonly<Record<string, readonly string[]>> = {
  US: ['usa', 'u s a', 'u s', 'united states of america', 'america', 'the united states', 'united states', 'us of a', '美国', '美國', 'アメリカ', '米国', '미국'],
  GB: ['uk', 'u k', 'great britain', 'britain', 'england', 'scotland', 'wales', 'northern ireland', 'united kingdom of great britain and northern ireland', 'gb', 'britannia', '英国', '英國', 'イギリス', '英国本土'],
  CN: ['prc', 'p r c', 'peoples republic of china', 'people s republic of china', 'mainland china', 'china mainland', 'china prc', '中国大陆', '中國大陸', '大陆', '大陸', '内地', '中华人民共和国', '中華人民共和國', '中国', '中國', 'zhongguo'],
  TW: ['taiwan', 'taiwan roc', 'taiwan province of china', 'republic of china', 'roc', 'chinese taipei', '台湾', '台灣', '臺灣', '中华民国', '中華民國', '中国台湾', '中國台灣'],
  HK: ['hong kong', 'hongkong', 'hong kong sar', 'hksar', 'hong kong china', '香港', '中国香港', '中國香港', '香港特别行政区', '香港特別行政區'],
  MO: ['macau', 'macao', 'macau sar', 'macao sar', '澳门', '澳門', '中国澳门', '中國澳門'],
  KR: ['korea', 'south korea', 'republic of korea', 'korea republic of', 'korea south', 'rok', '韩国', '韓國', '南韩', '南韓', '大韩民国', '大韓民國', '대한민국', '한국'],
  KP: ['north korea', 'dprk', 'korea north', 'democratic people s republic of korea', 'korea democratic people s republic of', '朝鲜', '北朝鲜', '北韓'],
  RU: ['russia', 'russian federation', '俄罗斯', '俄羅斯', 'россия'],
  DE: ['germany', 'deutschland', 'brd', 'federal republic of germany', 'bundesrepublik deutschland', '德国', '德國', 'ドイツ'],
  NL: ['holland', 'the netherlands', 'netherlands', 'nederland', '荷兰', '荷蘭'],
  AE: ['uae', 'u a e', 'emirates', 'united arab emirates'],
  SA: ['ksa', 'saudi', 'saudi arabia'],
  CZ: ['czech republic', 'czechia', 'czech'],
  CI: ['ivory coast', 'cote d ivoire', 'cote divoire'],
  MM: ['burma', 'myanmar'],
  SZ: ['swaziland', 'eswatini'],
  MK: ['macedonia', 'north macedonia', 'fyrom'],
  TR: ['turkey', 'turkiye', 'türkiye'],
  VA: ['vatican', 'vatican city', 'holy see'],
  VN: ['viet nam', 'vietnam', '越南'],
  LA: ['laos', 'lao pdr', 'lao'],
  IR: ['iran', 'iran islamic republic of', 'islamic republic of iran'],
  SY: ['syria', 'syrian arab republic'],
  BO: ['bolivia'],
  VE: ['venezuela'],
  TZ: ['tanzania'],
  MD: ['moldova', 'republic of moldova'],
  PS: ['palestine', 'state of palestine', 'palestinian territories'],
  FM: ['micronesia'],
  CV: ['cape verde', 'cabo verde'],
  TL: ['east timor', 'timor leste'],
  CD: ['drc', 'dr congo', 'democratic republic of the congo', 'democratic republic of congo', 'congo kinshasa', 'congo democratic republic', 'zaire'],
  CG: ['republic of the congo', 'republic of congo', 'congo brazzaville', 'congo republic'],
  BN: ['brunei darussalam', 'brunei'],
  IE: ['eire', 'ireland', 'republic of ireland'],
  NZ: ['aotearoa', 'new zealand', '新西兰', '紐西蘭', '纽西兰'],
  SG: ['singapore', '新加坡'],
  JP: ['nippon', 'nihon', '日本国', '日本'],
  IN: ['bharat'],
  AU: ['australia', 'aust', 'oz', '澳大利亚', '澳洲', '澳大利亞'],
  CA: ['canada', '加拿大'],
  KN: ['saint kitts and nevis', 'st kitts'],
  LC: ['saint lucia'],
  VC: ['saint vincent and the grenadines', 'st vincent'],
  BA: ['bosnia', 'bosnia and herzegovina', 'bosnia herzegovina'],
  XK: ['kosovo'],
  FK: ['falklands', 'falkland islands'],
  GS: ['south georgia'],
  VG: ['british virgin islands', 'bvi'],
  VI: ['us virgin islands', 'usvi', 'u s virgin islands'],
  PH: ['philippines', 'the philippines', '菲律宾', '菲律賓'],
  MY: ['malaysia', '马来西亚', '馬來西亞'],
  TH: ['thailand', '泰国', '泰國'],
  ID: ['indonesia', '印尼', '印度尼西亚'],
};

/** Folded names that point at more than one country: never resolved. */
export const AMBIGUOUS_COUNTRY_NAMES: ReadonlySet<string> = new Set(['congo', 'virgin islands', 'guinea republic', 'georgia state']);
