import { describe, expect, it } from 'vitest';
import { compareRecords, COMPARISONS, toMatchRecord } from '../../../src/transforms/match/index.js';
import { sameStreet } from '../../../src/transforms/match/comparisons.js';
import { wordsOf } from '../../../src/transforms/match/features.js';
import { encodeRecords } from '../../../src/transforms/match/encoded.js';
import { encodedCompanyWords } from '../../../src/transforms/match/match-records.js';
import { countWords, weightedWordOverlap, wordStem, wordWeight } from '../../../src/transforms/match/word-weights.js';

/** Company keys of a small run: "child care center" is in most names, "garfield" and "keeper" in few. */
const NAMES = [
  'ymca garfield',
  'ymca of metropolitan chicago garfield head start child development center',
  'sunshine child care center',
  'little stars child care center',
  'happy days child care center',
  'keeper s institute infant child care',
  'easter seals keeper s inst',
  'rainbow child care centers',
  'bright horizons child care center',
  'kiddie korner',
];
const words = countWords(NAMES);
const overlap = (a: string, b: string): number => weightedWordOverlap(wordsOf(a), wordsOf(b), words);

describe('company-name word weights', () => {
  it('counts each record once per word, plurals folded', () => {
    expect(words.documents).toBe(10);
    expect(words.counts.get('center')).toBe(6);
    expect(words.counts.get('garfield')).toBe(2);
    expect(wordStem('clubs')).toBe('club');
    expect(wordStem('ymcas')).toBe('ymca');
    expect(wordStem('bus')).toBe('bus');
    expect(countWords(['', 'a b a'])).toEqual({ documents: 1, counts: new Map([['a', 1], ['b', 1]]) });
  });

  it('counts encoded records as record by record: once per distinct name, weighed by its records', () => {
    // Names repeating across records, records without one, plurals, a word twice in one name.
    const companies = [...NAMES, ...NAMES.slice(0, 4), '', 'Clubs Club Inc', 'club inc', '', NAMES[2]!];
    const records = companies.map((c, i) => toMatchRecord('s', String(i), { company_name: c || null, family_name: `F${i}` }));
    const expected = countWords(records.map((r) => r.company));
    const got = encodedCompanyWords(encodeRecords(records));
    expect(got.documents).toBe(expected.documents);
    // The same counts, met in the same order.
    expect([...got.counts]).toEqual([...expected.counts]);
    expect(expected.counts.get('club')).toBeGreaterThan(1);
  });

  it('weighs a rare word more than a common one, and every word alike without counts', () => {
    expect(wordWeight(words, 'garfield')).toBeGreaterThan(2 * wordWeight(words, 'center'));
    expect(wordWeight(words, 'unseen')).toBeCloseTo(Math.log(11), 10);
    expect(wordWeight(undefined, 'garfield')).toBe(1);
  });

  it('scores shared rare words high and shared common words low', () => {
    // All of the shorter name, whatever the longer one adds.
    expect(overlap('ymca garfield', 'ymca of metropolitan chicago garfield head start child development center')).toBe(1);
    // Only the words every child-care site has.
    expect(overlap('sunshine child care center', 'little stars child care center')).toBeLessThan(0.5);
    // The distinctive word carries the pair, though most words differ.
    expect(overlap('sunshine kids academy', 'sunshine child care center')).toBeGreaterThan(0.5);
    expect(overlap('kiddie korner', 'sunshine child care center')).toBe(0);
    // Plurals and a close spelling of a long word count as the same word.
    expect(overlap('rainbow child care centers', 'rainbow child care center')).toBe(1);
    expect(overlap('kiddie korner', 'kiddie korners')).toBe(1);
    expect(overlap('kidie korner', 'kiddie korner')).toBe(1);
    expect(overlap('', 'kiddie korner')).toBe(0);
  });

  it('is the plain share of the shorter name\'s words without counts', () => {
    expect(weightedWordOverlap(['a', 'b'], ['a', 'c', 'd'], undefined)).toBe(0.5);
  });
});

const level = (a: Parameters<typeof toMatchRecord>[2], b: Parameters<typeof toMatchRecord>[2], field: string, ctx = {}): string => {
  const out = new Uint8Array(COMPARISONS.length);
  compareRecords(toMatchRecord('s', '1', a), toMatchRecord('s', '2', b), out, 0, ctx);
  const f = COMPARISONS.findIndex((c) => c.name === field);
  return COMPARISONS[f]!.levels[out[f]!] ?? 'missing';
};

describe('company-name comparison', () => {
  it('levels names by the rarity of the words they share', () => {
    const ctx = { companyWords: words };
    expect(level({ company_name: 'YMCA Garfield' }, { company_name: 'YMCA of Metropolitan Chicago - Garfield Head Start Child Development Center' }, 'company_name', ctx)).toMatch(/^most/);
    expect(level({ company_name: 'Sunshine Kids Academy' }, { company_name: 'Sunshine Child Care Center' }, 'company_name', ctx)).toMatch(/^half/);
    expect(level({ company_name: 'Sunshine Child Care Center' }, { company_name: 'Little Stars Child Care Center' }, 'company_name', ctx)).toBe('different');
    // Spelled alike, but only the common words shared: a level of its own, below the shared rare words.
    expect(level({ company_name: 'Sunshine Child Care Center' }, { company_name: 'Sunny Child Care Center' }, 'company_name', ctx)).toMatch(/^similar spelling/);
    expect(level({ company_name: 'Kiddie Korner Inc' }, { company_name: 'Kiddie Korner' }, 'company_name', ctx)).toBe('exact');
    expect(level({ company_name: 'Kiddie Korner' }, { company_name: 'Kiddie Korners' }, 'company_name', ctx)).toMatch(/^close/);
  });
});

describe('sameStreet', () => {
  const same = (a: string, b: string): boolean => sameStreet(a, b, wordsOf(a), wordsOf(b));

  it('matches one house on one street written apart', () => {
    expect(same('1241 west 58th street', '1241 w 58th street')).toBe(true);
    expect(same('7 n homan', '7 n homan avenue')).toBe(true);
    expect(same('8128 s dr martin luther king drive', '8128 s king drive')).toBe(true);
    expect(same('3038 west 59th street 1st', '3038 w 59th street')).toBe(true);
    expect(same('12 high st', '12 high street')).toBe(true);
  });

  it('keeps apart other houses, other streets and other street types', () => {
    expect(same('1653 w 43rd street', '1633 w 43rd street')).toBe(false);
    expect(same('2001 w pierce', '2001 e pierce')).toBe(false);
    expect(same('12 high street', '12 high road')).toBe(false);
    expect(same('12 high street', '12 station street')).toBe(false);
    expect(same('12 n', '12 n main street')).toBe(false);
    expect(same('high street', 'high street')).toBe(false);
    // A house number is the leading digits before a space or a sign: "12a" and "123" are not 12.
    expect(same('12a high street', '12 high street')).toBe(false);
    expect(same('123 high street', '12 high street')).toBe(false);
    expect(same('12, high street', '12 high st')).toBe(true);
  });

  it('is the address level between close spelling and shared words', () => {
    expect(level({ address_line1: '1241 West 58th Street' }, { address_line1: '1241 W 58th St' }, 'address')).toBe('same house number and street');
    expect(level({ address_line1: '1241 W 58th Street' }, { address_line1: '1242 W 58th Street' }, 'address')).toMatch(/^close/);
  });
});
