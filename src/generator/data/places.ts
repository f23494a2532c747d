/**
 * Places: every suburb or city carries its real region and postcode(s), so that a generated
 * address is internally consistent (Box Hill VIC 3128, Leeds LS6, Brooklyn NY 11211, 上海市徐汇区
 * 200030, 台北市大安區 106, Berlin 10115). Phone schemes per place are named in phones.ts.
 */
import { WeightedTable } from '../prng.js';

const words = (s: string): string[] => s.trim().split(/\s*,\s*/);

export interface AuSuburb {
  name: string;
  state: 'NSW' | 'VIC' | 'QLD' | 'WA' | 'SA' | 'TAS' | 'ACT' | 'NT';
  postcode: string;
}

// name|postcode, grouped by state; weight 3 for the big-city suburbs listed first in each group.
// Some names repeat across states (Richmond NSW 2753 / VIC 3121, Kingston ACT / TAS, Paddington
// NSW / QLD, Brighton VIC / QLD / SA, Kensington NSW / VIC / SA): only the state and postcode tell them apart.
const AU: Record<AuSuburb['state'], string> = {
  NSW: `Sydney|2000, Parramatta|2150, Chatswood|2067, Bondi|2026, Newtown|2042, Hurstville|2220, Strathfield|2135,
    Manly|2095, Blacktown|2148, Cabramatta|2166, Liverpool|2170, Penrith|2750, Campbelltown|2560, Castle Hill|2154,
    Epping|2121, Ryde|2112, Hornsby|2077, Burwood|2134, Ashfield|2131, Marrickville|2204, Bankstown|2200, Auburn|2144,
    Fairfield|2165, Randwick|2031, Maroubra|2035, Kogarah|2217, Rockdale|2216, Sutherland|2232, Cronulla|2230,
    Dee Why|2099, Mosman|2088, North Sydney|2060, Lane Cove|2066, Eastwood|2122, Carlingford|2118, Baulkham Hills|2153,
    Kellyville|2155, Merrylands|2160, Granville|2142, Lidcombe|2141, Homebush|2140, Rhodes|2138, Concord|2137,
    Five Dock|2046, Leichhardt|2040, Glebe|2037, Surry Hills|2010, Paddington|2021, Coogee|2034, Mascot|2020,
    Zetland|2017, Newcastle|2300, Maitland|2320, Wollongong|2500, Gosford|2250, Terrigal|2260, Albury|2640,
    Wagga Wagga|2650, Orange|2800, Bathurst|2795, Dubbo|2830, Tamworth|2340, Port Macquarie|2444, Coffs Harbour|2450,
    Lismore|2480, Byron Bay|2481,
    Bondi Junction|2022, Darlinghurst|2010, Redfern|2016, Waterloo|2017, Alexandria|2015, Erskineville|2043,
    Annandale|2038, Balmain|2041, Rozelle|2039, Drummoyne|2047, Gladesville|2111, Hunters Hill|2110, Willoughby|2068,
    Artarmon|2064, St Leonards|2065, Crows Nest|2065, Neutral Bay|2089, Cremorne|2090, Pymble|2073, Turramurra|2074,
    Wahroonga|2076, Gordon|2072, Lindfield|2070, Killara|2071, Roseville|2069, Beecroft|2119, Cherrybrook|2126,
    West Pennant Hills|2125, Pennant Hills|2120, Dundas|2117, Ermington|2115, Meadowbank|2114, North Ryde|2113,
    Macquarie Park|2113, Marsfield|2122, West Ryde|2114, Toongabbie|2146, Seven Hills|2147, Quakers Hill|2763,
    Riverstone|2765, Mount Druitt|2770, St Marys|2760, Emu Plains|2750, Glenmore Park|2745, Camden|2570, Narellan|2567,
    Ingleburn|2565, Minto|2566, Casula|2170, Prestons|2170, Moorebank|2170, Revesby|2212, Padstow|2211, Panania|2213,
    Beverly Hills|2209, Riverwood|2210, Peakhurst|2210, Mortdale|2223, Oatley|2223, Sans Souci|2219,
    Brighton-Le-Sands|2216, Engadine|2233, Menai|2234, Miranda|2228, Caringbah|2229, Gymea|2227, Campsie|2194,
    Lakemba|2195, Punchbowl|2196, Belmore|2192, Earlwood|2206, Dulwich Hill|2203, Petersham|2049, Stanmore|2048,
    Enmore|2042, Haberfield|2045, Croydon|2132, Richmond|2753, Kensington|2033, Paddington|2021, Queanbeyan|2620`,
  VIC: `Melbourne|3000, Southbank|3006, Docklands|3008, Carlton|3053, Fitzroy|3065, Collingwood|3066, Richmond|3121,
    Hawthorn|3122, Kew|3101, Camberwell|3124, Box Hill|3128, Doncaster|3108, Glen Waverley|3150, Mount Waverley|3149,
    Clayton|3168, Oakleigh|3166, Springvale|3171, Dandenong|3175, Frankston|3199, St Kilda|3182, Brighton|3186,
    Caulfield|3162, Prahran|3181, South Yarra|3141, Toorak|3142, Footscray|3011, Sunshine|3020, Werribee|3030,
    Point Cook|3030, Brunswick|3056, Coburg|3058, Preston|3072, Reservoir|3073, Bundoora|3083, Heidelberg|3084,
    Ringwood|3134, Croydon|3136, Geelong|3220, Ballarat|3350, Bendigo|3550,
    Abbotsford|3067, Northcote|3070, Thornbury|3071, Ivanhoe|3079, Balwyn|3103, Blackburn|3130, Nunawading|3131,
    Mitcham|3132, Vermont|3133, Wantirna|3152, Bayswater|3153, Boronia|3155, Ferntree Gully|3156, Rowville|3178,
    Mulgrave|3170, Wheelers Hill|3150, Noble Park|3174, Keysborough|3173, Cheltenham|3192, Mentone|3194,
    Mordialloc|3195, Sandringham|3191, Hampton|3188, Elsternwick|3185, Elwood|3184, Balaclava|3183,
    Port Melbourne|3207, Albert Park|3206, South Melbourne|3205, North Melbourne|3051, Parkville|3052, Essendon|3040,
    Moonee Ponds|3039, Ascot Vale|3032, Flemington|3031, Kensington|3031, Yarraville|3013, Williamstown|3016,
    Altona|3018, Sunbury|3429, Craigieburn|3064, Epping|3076, Mill Park|3082, South Morang|3752, Eltham|3095,
    Greensborough|3088, Pakenham|3810, Berwick|3806, Narre Warren|3805, Cranbourne|3977, Mornington|3931,
    Hoppers Crossing|3029, Tarneit|3029, Caroline Springs|3023, Melton|3337, Wyndham Vale|3024`,
  QLD: `Brisbane City|4000, Fortitude Valley|4006, South Brisbane|4101, West End|4101, Sunnybank|4109,
    Eight Mile Plains|4113, Toowong|4066, Indooroopilly|4068, Chermside|4032, Carindale|4152, Southport|4215,
    Surfers Paradise|4217, Broadbeach|4218, Robina|4226, Ipswich|4305, Toowoomba|4350, Cairns|4870, Townsville|4810,
    Mackay|4740, Rockhampton|4700, Caloundra|4551, Maroochydore|4558, Logan Central|4114,
    New Farm|4005, Paddington|4064, Kangaroo Point|4169, Woolloongabba|4102, Annerley|4103, Coorparoo|4151,
    Camp Hill|4152, Bulimba|4171, Hamilton|4007, Ascot|4007, Clayfield|4011, Nundah|4012, Aspley|4034, Kedron|4031,
    Ashgrove|4060, The Gap|4061, Kenmore|4069, Forest Lake|4078, Springfield|4300, Redcliffe|4020, North Lakes|4509,
    Strathpine|4500, Capalaba|4157, Cleveland|4163, Mount Gravatt|4122, Runcorn|4113, Calamvale|4116,
    Browns Plains|4118, Beenleigh|4207, Coomera|4209, Nerang|4211, Burleigh Heads|4220, Palm Beach|4221,
    Coolangatta|4225, Noosa Heads|4567, Nambour|4560, Bundaberg|4670, Hervey Bay|4655, Gladstone|4680, Brighton|4017`,
  WA: `Perth|6000, Northbridge|6003, Subiaco|6008, Fremantle|6160, Joondalup|6027, Scarborough|6019, Cannington|6107,
    Rockingham|6168, Mandurah|6210, Midland|6056, Morley|6062, Bunbury|6230,
    Leederville|6007, Mount Lawley|6050, Victoria Park|6100, Como|6152, Applecross|6153, Booragoon|6154, Willetton|6155,
    Murdoch|6150, Cottesloe|6011, Claremont|6010, Nedlands|6009, Karrinyup|6018, Balga|6061, Mirrabooka|6061,
    Ellenbrook|6069, Armadale|6112, Baldivis|6171, Kalgoorlie|6430, Geraldton|6530, Albany|6330, Busselton|6280`,
  SA: `Adelaide|5000, North Adelaide|5006, Glenelg|5045, Norwood|5067, Unley|5061, Prospect|5082, Salisbury|5108,
    Elizabeth|5112, Modbury|5092, Marion|5043, Port Adelaide|5015, Mount Gambier|5290,
    Brighton|5048, Henley Beach|5022, Semaphore|5019, Magill|5072, Campbelltown|5074, Paradise|5075,
    Golden Grove|5125, Mawson Lakes|5095, Enfield|5085, Kensington|5068, Burnside|5066, Mitcham|5062, Hawthorn|5062,
    Blackwood|5051, Morphett Vale|5162, Noarlunga Centre|5168, Gawler|5118, Murray Bridge|5253, Whyalla|5600,
    Port Augusta|5700`,
  TAS: `Hobart|7000, Sandy Bay|7005, Glenorchy|7010, Launceston|7250, Devonport|7310, Burnie|7320, Kingston|7050, Bellerive|7018, Moonah|7009, New Town|7008, Lindisfarne|7015`,
  ACT: `Canberra|2601, Belconnen|2617, Bruce|2617, Phillip|2606, Greenway|2900, Gungahlin|2912, Kingston|2604, Braddon|2612, Kambah|2902, Dickson|2602, Turner|2612, Weston|2611, Holt|2615, Ngunnawal|2913`,
  NT: `Darwin|0800, Palmerston|0830, Alice Springs|0870, Casuarina|0810, Nightcliff|0810, Stuart Park|0820, Katherine|0850`,
};
// Share of the population by state (ABS, rounded).
const STATE_WEIGHT: Record<AuSuburb['state'], number> = { NSW: 31, VIC: 26, QLD: 20, WA: 11, SA: 7, TAS: 2, ACT: 2, NT: 1 };

export const AU_SUBURBS: WeightedTable<AuSuburb> = (() => {
  const entries: [AuSuburb, number][] = [];
  for (const [state, list] of Object.entries(AU) as [AuSuburb['state'], string][]) {
    const items = words(list).map((x) => x.split('|') as [string, string]);
    const big = Math.min(8, items.length);
    const totalW = big * 3 + (items.length - big);
    items.forEach(([name, postcode], i) => entries.push([{ name, state, postcode }, (STATE_WEIGHT[state] * (i < big ? 3 : 1)) / totalW]));
  }
  return new WeightedTable(entries);
})();
/** Suburbs where many Chinese Australians live (for a realistic clustering of names and places). */
export const AU_CHINESE_SUBURBS: readonly string[] = words(
  'Chatswood, Hurstville, Box Hill, Glen Waverley, Sunnybank, Strathfield, Eastwood, Burwood, Epping, Rhodes, Doncaster, Clayton, Eight Mile Plains, Melbourne, Sydney, Parramatta, Carlingford',
);
export const AU_VIETNAMESE_SUBURBS: readonly string[] = words('Cabramatta, Bankstown, Fairfield, Footscray, Springvale, Richmond, Sunnybank, Dandenong');

/** Street names with the type they usually carry ('*' = any residential type). */
export const AU_STREETS: readonly (readonly [string, string])[] = [
  ['George', 'St'], ['Pitt', 'St'], ['Church', 'St'], ['Victoria', 'Rd'], ['King', 'St'], ['Oxford', 'St'], ['Military', 'Rd'],
  ['Anzac', 'Pde'], ['Collins', 'St'], ['Chapel', 'St'], ['High', 'St'], ['Queen', 'St'], ['Ann', 'St'], ['Wickham', 'Tce'],
  ['Hay', 'St'], ['Murray', 'St'], ['Rundle', 'St'], ['Elizabeth', 'St'], ['Macquarie', 'St'], ['Northbourne', 'Ave'],
  ['Smith', 'St'], ['Railway', 'Pde'], ['Station', 'St'], ['Albert', 'Rd'], ['Beach', 'Rd'], ['Bay', 'St'], ['Park', 'Rd'],
  ['Marsden', 'St'], ['Forest', 'Rd'], ['Canterbury', 'Rd'], ['Princes', 'Hwy'], ['Pacific', 'Hwy'], ['Bridge', 'Rd'],
  ['Grey', 'St'], ['Stirling', 'Hwy'], ['Darling', 'St'], ['Lygon', 'St'], ['Sydney', 'Rd'], ['Burwood', 'Rd'], ['Ocean', 'St'],
  ['Main', 'St'], ['Mill', 'Rd'], ['Hill', 'St'], ['Bent', 'St'], ['William', 'St'], ['Edward', 'St'], ['Ridge', 'Rd'],
  ['Wattle', '*'], ['Banksia', '*'], ['Jacaranda', '*'], ['Acacia', '*'], ['Waratah', '*'], ['Boronia', '*'], ['Grevillea', '*'],
  ['Bottlebrush', '*'], ['Kurrajong', '*'], ['Myrtle', '*'], ['Lilly Pilly', '*'], ['Casuarina', '*'], ['Melaleuca', '*'],
  ['Blue Gum', '*'], ['Ironbark', '*'], ['Kingfisher', '*'], ['Kookaburra', '*'], ['Rosella', '*'], ['Lorikeet', '*'],
  ['Magpie', '*'], ['Currawong', '*'], ['Hilltop', '*'], ['Valley View', '*'], ['Parkview', '*'], ['Lakeside', '*'],
  ['Bellevue', '*'], ['Highfield', '*'], ['Fairway', '*'], ['Cambridge', '*'], ['Oxford', '*'], ['Windsor', '*'],
  ['Kensington', '*'], ['Balmoral', '*'], ['Carrington', '*'], ['Wellington', '*'], ['Nelson', '*'], ['Raleigh', '*'],
  ['Cook', '*'], ['Flinders', '*'], ['Hume', '*'], ['Sturt', '*'], ['Mitchell', '*'], ['Lawson', '*'], ['Banks', '*'],
];
/** Abbreviation → full street type. */
export const AU_STREET_TYPES: ReadonlyMap<string, string> = new Map([
  ['St', 'Street'], ['Rd', 'Road'], ['Ave', 'Avenue'], ['Pde', 'Parade'], ['Hwy', 'Highway'], ['Cres', 'Crescent'],
  ['Pl', 'Place'], ['Dr', 'Drive'], ['Tce', 'Terrace'], ['Ct', 'Court'], ['Cl', 'Close'], ['Ln', 'Lane'], ['Gr', 'Grove'],
  ['Cct', 'Circuit'], ['Way', 'Way'], ['Bvd', 'Boulevard'],
]);
export const AU_RESIDENTIAL_TYPES: readonly string[] = ['St', 'Ave', 'Cres', 'Pl', 'Dr', 'Ct', 'Cl', 'Gr', 'Cct', 'Way', 'Rd', 'St'];
/** AU state → landline scheme key (see phones.ts). */
export const AU_LANDLINE_SCHEME: Readonly<Record<AuSuburb['state'], string>> = {
  NSW: 'AU-L-NSW', ACT: 'AU-L-ACT', VIC: 'AU-L-VIC', TAS: 'AU-L-TAS', QLD: 'AU-L-QLD', SA: 'AU-L-SA', WA: 'AU-L-WA', NT: 'AU-L-NT',
};

export interface GbCity {
  city: string;
  county: string;
  outcodes: readonly string[];
  phone: string;
}
export const GB_CITIES: WeightedTable<GbCity> = new WeightedTable(
  (
    [
      ['London', 'Greater London', 'N1, N7, N16, NW1, NW3, NW6, E2, E8, E14, E17, SE1, SE5, SE15, SE22, SW2, SW4, SW11, SW18, W2, W4, W12, EC1V, WC1N', 'GB-L-LON', 30],
      ['Manchester', 'Greater Manchester', 'M1, M4, M13, M14, M15, M16, M20, M21', 'GB-L-MAN', 8],
      ['Birmingham', 'West Midlands', 'B1, B5, B13, B15, B17, B29, B30', 'GB-L-BHM', 8],
      ['Leeds', 'West Yorkshire', 'LS1, LS2, LS6, LS7, LS8, LS11, LS17', 'GB-L-LDS', 6],
      ['Glasgow', 'Scotland', 'G1, G3, G11, G12, G31, G41', 'GB-L-GLA', 5],
      ['Edinburgh', 'Scotland', 'EH1, EH3, EH6, EH7, EH9, EH10, EH12', 'GB-L-EDI', 5],
      ['Bristol', 'Bristol', 'BS1, BS3, BS5, BS6, BS7, BS8, BS16', 'GB-L-BRS', 5],
      ['Liverpool', 'Merseyside', 'L1, L8, L15, L17, L18, L25', 'GB-L-LIV', 5],
      ['Sheffield', 'South Yorkshire', 'S1, S2, S7, S10, S11', 'GB-L-SHF', 4],
      ['Cardiff', 'Wales', 'CF10, CF11, CF14, CF23, CF24', 'GB-L-CDF', 3],
      ['Newcastle upon Tyne', 'Tyne and Wear', 'NE1, NE2, NE4, NE6', 'GB-L-NCL', 3],
      ['Nottingham', 'Nottinghamshire', 'NG1, NG2, NG5, NG7, NG9', 'GB-L-NOT', 3],
      ['Oxford', 'Oxfordshire', 'OX1, OX2, OX3, OX4', 'GB-L-OXF', 2],
      ['Cambridge', 'Cambridgeshire', 'CB1, CB2, CB3, CB4, CB5', 'GB-L-CAM', 2],
    ] as const
  ).map(([city, county, outs, phone, w]) => [{ city, county, outcodes: words(outs), phone }, w] as const),
);
export const GB_STREETS: readonly string[] = words(
  'Station, High, Church, Park, Victoria, Green, Manor, Kings, Queens, Albert, Mill, School, Grange, Elm, Oak, Chestnut, Beech, Willow, Canonbury, Albion, Hamilton, Stanley, Windsor, York, Clarence, Richmond, Belmont, Springfield, Woodland, Meadow',
);
export const GB_STREET_TYPES: readonly string[] = words('Road, Road, Street, Street, Lane, Avenue, Close, Gardens, Terrace, Crescent, Way, Drive, Grove, Place, Mews');
// Postcode inward code letters exclude C, I, K, M, O, V.
export const GB_INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

export interface UsCity {
  city: string;
  state: string;
  zips: readonly string[];
  phone: string;
}
export const US_CITIES: WeightedTable<UsCity> = new WeightedTable(
  (
    [
      ['New York', 'NY', '10001, 10002, 10003, 10011, 10016, 10019, 10025, 10027, 10128', 'US-L-NYC', 12],
      ['Brooklyn', 'NY', '11201, 11211, 11215, 11217, 11225, 11238', 'US-L-BKN', 6],
      ['Los Angeles', 'CA', '90004, 90012, 90019, 90026, 90034, 90045, 90066', 'US-L-LAX', 10],
      ['San Francisco', 'CA', '94103, 94107, 94110, 94114, 94117, 94122', 'US-L-SFO', 6],
      ['Seattle', 'WA', '98101, 98103, 98105, 98107, 98115, 98122', 'US-L-SEA', 5],
      ['Boston', 'MA', '02108, 02115, 02116, 02118, 02127, 02130', 'US-L-BOS', 5],
      ['Chicago', 'IL', '60601, 60605, 60607, 60614, 60618, 60622, 60657', 'US-L-CHI', 8],
      ['Houston', 'TX', '77002, 77006, 77019, 77027, 77056, 77098', 'US-L-HOU', 7],
      ['Austin', 'TX', '78701, 78702, 78704, 78705, 78745, 78751', 'US-L-AUS', 4],
      ['Miami', 'FL', '33125, 33130, 33131, 33133, 33137, 33139', 'US-L-MIA', 5],
      ['Denver', 'CO', '80202, 80203, 80205, 80206, 80210, 80218', 'US-L-DEN', 4],
      ['Atlanta', 'GA', '30303, 30306, 30308, 30309, 30312, 30318', 'US-L-ATL', 5],
      ['Phoenix', 'AZ', '85003, 85004, 85006, 85008, 85013, 85016', 'US-L-PHX', 5],
      ['Portland', 'OR', '97201, 97205, 97209, 97212, 97214, 97219', 'US-L-PDX', 4],
    ] as const
  ).map(([city, state, zips, phone, w]) => [{ city, state, zips: words(zips), phone }, w] as const),
);
export const US_STREETS: readonly string[] = words(
  'Main, Oak, Pine, Maple, Cedar, Elm, Washington, Park, Lake, Hill, Broadway, Madison, Lincoln, Jefferson, Franklin, Highland, Sunset, Mission, Valencia, Columbus, Amsterdam, Church, Spring, Center, 2nd, 3rd, 5th, 7th, 10th, 14th, 23rd',
);
export const US_STREET_TYPES: readonly (readonly [string, string])[] = [
  ['St', 'Street'], ['St', 'Street'], ['Ave', 'Avenue'], ['Ave', 'Avenue'], ['Blvd', 'Boulevard'], ['Rd', 'Road'], ['Dr', 'Drive'], ['Ln', 'Lane'], ['Way', 'Way'], ['Ct', 'Court'], ['Pl', 'Place'],
];

const CITY_STREETS: Readonly<Record<string, readonly (readonly [string, string, string])[]>> = {
  Shanghai: [['南京西路', '南京西路', 'Nanjing West Road'], ['淮海中路', '淮海中路', 'Huaihai Middle Road'], ['世纪大道', '世紀大道', 'Century Avenue']],
  Beijing: [['建国路', '建國路', 'Jianguo Road'], ['长安街', '長安街', "Chang'an Avenue"]],
  Guangzhou: [['天河路', '天河路', 'Tianhe Road'], ['环市东路', '環市東路', 'Huanshi East Road']],
  Shenzhen: [['深南大道', '深南大道', 'Shennan Avenue']],
  Hangzhou: [['延安路', '延安路', "Yan'an Road"]],
  Chengdu: [['春熙路', '春熙路', 'Chunxi Road']],
};

export interface CnCity {
  s: string;
  t: string;
  en: string;
  provinceS: string;
  provinceT: string;
  provinceEn: string;
  /** District (simplified, traditional, pinyin) and its postcode. */
  districts: readonly (readonly [string, string, string, string])[];
  phone: string;
  /** Well-known streets of this city (simplified, traditional, English); others use CN_STREETS. */
  streets: readonly (readonly [string, string, string])[];
}
export const CN_CITIES: WeightedTable<CnCity> = new WeightedTable(
  (
    [
      ['上海', '上海', 'Shanghai', '上海市', '上海市', 'Shanghai', [['徐汇区', '徐匯區', 'Xuhui', '200030'], ['浦东新区', '浦東新區', 'Pudong', '200120'], ['静安区', '靜安區', 'Jing\'an', '200040'], ['长宁区', '長寧區', 'Changning', '200050']], 'CN-L-SH', 10],
      ['北京', '北京', 'Beijing', '北京市', '北京市', 'Beijing', [['朝阳区', '朝陽區', 'Chaoyang', '100020'], ['海淀区', '海澱區', 'Haidian', '100080'], ['东城区', '東城區', 'Dongcheng', '100010'], ['西城区', '西城區', 'Xicheng', '100032']], 'CN-L-BJ', 9],
      ['广州', '廣州', 'Guangzhou', '广东省', '廣東省', 'Guangdong', [['天河区', '天河區', 'Tianhe', '510620'], ['越秀区', '越秀區', 'Yuexiu', '510030'], ['海珠区', '海珠區', 'Haizhu', '510220']], 'CN-L-GZ', 6],
      ['深圳', '深圳', 'Shenzhen', '广东省', '廣東省', 'Guangdong', [['南山区', '南山區', 'Nanshan', '518052'], ['福田区', '福田區', 'Futian', '518048'], ['罗湖区', '羅湖區', 'Luohu', '518001']], 'CN-L-SZ', 6],
      ['杭州', '杭州', 'Hangzhou', '浙江省', '浙江省', 'Zhejiang', [['西湖区', '西湖區', 'Xihu', '310012'], ['上城区', '上城區', 'Shangcheng', '310002']], 'CN-L-HZ', 4],
      ['成都', '成都', 'Chengdu', '四川省', '四川省', 'Sichuan', [['锦江区', '錦江區', 'Jinjiang', '610021'], ['武侯区', '武侯區', 'Wuhou', '610041']], 'CN-L-CD', 4],
      ['南京', '南京', 'Nanjing', '江苏省', '江蘇省', 'Jiangsu', [['鼓楼区', '鼓樓區', 'Gulou', '210008'], ['玄武区', '玄武區', 'Xuanwu', '210018']], 'CN-L-NJ', 3],
      ['武汉', '武漢', 'Wuhan', '湖北省', '湖北省', 'Hubei', [['武昌区', '武昌區', 'Wuchang', '430061'], ['江汉区', '江漢區', 'Jianghan', '430021']], 'CN-L-WH', 3],
      ['西安', '西安', 'Xi\'an', '陕西省', '陝西省', 'Shaanxi', [['雁塔区', '雁塔區', 'Yanta', '710061'], ['碑林区', '碑林區', 'Beilin', '710001']], 'CN-L-XA', 2],
      ['天津', '天津', 'Tianjin', '天津市', '天津市', 'Tianjin', [['和平区', '和平區', 'Heping', '300041'], ['南开区', '南開區', 'Nankai', '300100']], 'CN-L-TJ', 2],
    ] as const
  ).map(([s, t, en, provinceS, provinceT, provinceEn, districts, phone, w]) => [{ s, t, en, provinceS, provinceT, provinceEn, districts, phone, streets: CITY_STREETS[en] ?? [] }, w] as const),
);
/** Streets found in (nearly) every Chinese city (simplified, traditional, English). */
export const CN_STREETS: readonly (readonly [string, string, string])[] = [
  ['中山路', '中山路', 'Zhongshan Road'], ['人民路', '人民路', 'Renmin Road'], ['解放路', '解放路', 'Jiefang Road'],
  ['建设路', '建設路', 'Jianshe Road'], ['和平路', '和平路', 'Heping Road'], ['南京西路', '南京西路', 'Nanjing West Road'],
  ['长江路', '長江路', 'Changjiang Road'], ['东风路', '東風路', 'Dongfeng Road'], ['新华路', '新華路', 'Xinhua Road'],
  ['胜利路', '勝利路', 'Shengli Road'], ['文化路', '文化路', 'Wenhua Road'], ['朝阳路', '朝陽路', 'Chaoyang Road'],
  ['青年路', '青年路', 'Qingnian Road'], ['光明路', '光明路', 'Guangming Road'],
];

export interface TwCity {
  t: string;
  s: string;
  en: string;
  districts: readonly (readonly [string, string, string])[];
  phone: string;
}
export const TW_CITIES: WeightedTable<TwCity> = new WeightedTable(
  (
    [
      ['臺北市', '台北市', 'Taipei City', [['大安區', 'Da\'an Dist.', '106'], ['信義區', 'Xinyi Dist.', '110'], ['中山區', 'Zhongshan Dist.', '104'], ['松山區', 'Songshan Dist.', '105'], ['內湖區', 'Neihu Dist.', '114']], 'TW-L-TPE', 6],
      ['新北市', '新北市', 'New Taipei City', [['板橋區', 'Banqiao Dist.', '220'], ['中和區', 'Zhonghe Dist.', '235'], ['新店區', 'Xindian Dist.', '231']], 'TW-L-TPE', 4],
      ['臺中市', '台中市', 'Taichung City', [['西屯區', 'Xitun Dist.', '407'], ['北區', 'North Dist.', '404']], 'TW-L-TXG', 3],
      ['高雄市', '高雄市', 'Kaohsiung City', [['苓雅區', 'Lingya Dist.', '802'], ['左營區', 'Zuoying Dist.', '813']], 'TW-L-KHH', 3],
    ] as const
  ).map(([t, s, en, districts, phone, w]) => [{ t, s, en, districts, phone }, w] as const),
);
/** Street (traditional, English). */
export const TW_STREETS: readonly (readonly [string, string])[] = [
  ['忠孝東路四段', 'Sec. 4, Zhongxiao E. Rd.'], ['中山北路二段', 'Sec. 2, Zhongshan N. Rd.'], ['信義路五段', 'Sec. 5, Xinyi Rd.'],
  ['仁愛路三段', 'Sec. 3, Ren\'ai Rd.'], ['民生東路三段', 'Sec. 3, Minsheng E. Rd.'], ['復興南路一段', 'Sec. 1, Fuxing S. Rd.'],
  ['和平東路二段', 'Sec. 2, Heping E. Rd.'], ['敦化南路一段', 'Sec. 1, Dunhua S. Rd.'], ['文化路二段', 'Sec. 2, Wenhua Rd.'],
];

/** Hong Kong district (traditional, English, region) with streets in it (traditional, English). Hong Kong has no postcodes. */
export const HK_DISTRICTS: readonly (readonly [string, string, string, readonly (readonly [string, string])[]])[] = [
  ['中環', 'Central', 'Hong Kong Island', [['皇后大道中', "Queen's Road Central"], ['德輔道中', 'Des Voeux Road Central']]],
  ['半山', 'Mid-Levels', 'Hong Kong Island', [['羅便臣道', 'Robinson Road'], ['干德道', 'Conduit Road']]],
  ['灣仔', 'Wan Chai', 'Hong Kong Island', [['軒尼詩道', 'Hennessy Road'], ['告士打道', 'Gloucester Road']]],
  ['銅鑼灣', 'Causeway Bay', 'Hong Kong Island', [['軒尼詩道', 'Hennessy Road'], ['怡和街', 'Yee Wo Street']]],
  ['北角', 'North Point', 'Hong Kong Island', [['英皇道', "King's Road"]]],
  ['旺角', 'Mong Kok', 'Kowloon', [['彌敦道', 'Nathan Road'], ['亞皆老街', 'Argyle Street']]],
  ['尖沙咀', 'Tsim Sha Tsui', 'Kowloon', [['彌敦道', 'Nathan Road'], ['廣東道', 'Canton Road']]],
  ['九龍城', 'Kowloon City', 'Kowloon', [['太子道西', 'Prince Edward Road West']]],
  ['觀塘', 'Kwun Tong', 'Kowloon', [['觀塘道', 'Kwun Tong Road']]],
  ['沙田', 'Sha Tin', 'New Territories', [['沙田正街', 'Sha Tin Centre Street']]],
  ['荃灣', 'Tsuen Wan', 'New Territories', [['青山公路', 'Castle Peak Road']]],
  ['將軍澳', 'Tseung Kwan O', 'New Territories', [['唐德街', 'Tong Tak Street']]],
];

export interface DeCity {
  city: string;
  state: string;
  plz: readonly string[];
  phone: string;
}
export const DE_CITIES: WeightedTable<DeCity> = new WeightedTable(
  (
    [
      ['Berlin', 'Berlin', '10115, 10117, 10119, 10178, 10243, 10435, 10967, 12043, 13347', 'DE-L-BER', 10],
      ['Hamburg', 'Hamburg', '20095, 20099, 20251, 22765, 22303', 'DE-L-HAM', 6],
      ['München', 'Bayern', '80331, 80333, 80469, 80799, 81667', 'DE-L-MUC', 6],
      ['Köln', 'Nordrhein-Westfalen', '50667, 50672, 50733, 50937', 'DE-L-CGN', 4],
      ['Frankfurt am Main', 'Hessen', '60311, 60313, 60316, 60487', 'DE-L-FRA', 4],
      ['Stuttgart', 'Baden-Württemberg', '70173, 70176, 70178, 70182', 'DE-L-STR', 3],
      ['Düsseldorf', 'Nordrhein-Westfalen', '40210, 40211, 40213, 40477', 'DE-L-DUS', 3],
      ['Leipzig', 'Sachsen', '04103, 04107, 04109, 04229', 'DE-L-LEJ', 3],
      ['Dresden', 'Sachsen', '01067, 01069, 01097, 01099', 'DE-L-DRS', 2],
      ['Hannover', 'Niedersachsen', '30159, 30161, 30169, 30173', 'DE-L-HAJ', 2],
      ['Nürnberg', 'Bayern', '90402, 90403, 90419, 90429', 'DE-L-NUE', 2],
    ] as const
  ).map(([city, state, plz, phone, w]) => [{ city, state, plz: words(plz), phone }, w] as const),
);
export const DE_STREETS: readonly string[] = words(
  'Hauptstraße, Bahnhofstraße, Gartenstraße, Schulstraße, Dorfstraße, Bergstraße, Lindenstraße, Kirchstraße, Goethestraße, Schillerstraße, Friedrichstraße, Ringstraße, Wiesenweg, Am Markt, Berliner Straße, Mozartstraße, Waldstraße, Rosenweg, Birkenweg, Parkstraße, Beethovenstraße, Kantstraße, Uhlandstraße, Lessingstraße',
);
