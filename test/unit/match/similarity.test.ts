import { describe, expect, it } from 'vitest';
import { editDistance, jaroWinkler, jaroWinklerAtLeast, withinEdits } from '../../../src/transforms/match/similarity.js';

describe('jaroWinkler', () => {
  it('matches the published reference values', () => {
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.9611, 4);
    expect(jaroWinkler('dwayne', 'duane')).toBeCloseTo(0.84, 2);
    expect(jaroWinkler('dixon', 'dicksonx')).toBeCloseTo(0.8133, 4);
    expect(jaroWinkler('abc', 'abc')).toBe(1);
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
    expect(jaroWinkler('', 'abc')).toBe(0);
  });
});

describe('withinEdits', () => {
  it('agrees with the full edit distance on every pair of short strings over a small alphabet', () => {
    // All strings of length 0–4 over {a, b, c}: transpositions, repeats, prefixes and suffixes.
    const words = [''];
    for (let len = 1; len <= 4; len++) for (const w of words.filter((x) => x.length === len - 1)) for (const c of 'abc') words.push(w + c);
    const wrong: string[] = [];
    for (const a of words) for (const b of words) for (const k of [0, 1, 2]) if (withinEdits(a, b, k) !== editDistance(a, b) <= k) wrong.push(`${a}/${b}/${k}`);
    expect(wrong).toEqual([]);
  });

  it('answers dates and phone numbers one or two edits apart', () => {
    expect(withinEdits('19850312', '19850321', 1)).toBe(false);
    expect(withinEdits('19850312', '19850321', 2)).toBe(true);
    expect(withinEdits('+61412345678', '+6141234567', 1)).toBe(true);
  });
});

describe('jaroWinklerAtLeast', () => {
  it('gives Jaro–Winkler wherever it reaches the floor, and a value below the floor elsewhere', () => {
    const words = ['martha', 'marhta', 'dwayne', 'duane', 'dixon', 'dicksonx', 'smith', 'smyth', 'schmidt', 'jon', 'john', 'j', 'wang fang', 'fang wang', '12 high st', '12 high street', '21 high st', 'unit 4 12 high st', '北京市朝阳区', '北京市海淀区', 'a', 'ab', 'ba', 'abcdefgh', 'hgfedcba'];
    const wrong: string[] = [];
    for (const a of words) {
      for (const b of words) {
        const jw = jaroWinkler(a, b);
        for (const floor of [0.5, 0.8, 0.92]) {
          const got = jaroWinklerAtLeast(a, b, floor);
          if (jw >= floor ? got !== jw : got >= floor) wrong.push(`${a}/${b}/${floor}: ${got} vs ${jw}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
