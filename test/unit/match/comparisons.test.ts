import { describe, expect, it } from 'vitest';
import { COMPARISONS, MISSING, namesSwapped } from '../../../src/transforms/match/comparisons.js';
import { jaroWinkler } from '../../../src/transforms/match/similarity.js';
import type { MatchRecord } from '../../../src/transforms/match/features.js';

const compare = (name: string, a: Partial<MatchRecord>, b: Partial<MatchRecord>): string => {
  const c = COMPARISONS.find((x) => x.name === name)!;
  const l = c.compare(a as MatchRecord, b as MatchRecord, {});
  return l === MISSING ? 'missing' : c.levels[l]!;
};

describe('e-mail comparison', () => {
  const level = (a: string, b: string): string => compare('email', { email: a }, { email: b });

  it('tells the same mailbox, a typo at one provider, namesakes and strangers apart', () => {
    expect(level('jsmith@gmail.com', 'jsmith@gmail.com')).toBe('exact');
    expect(level('jsmith@gmail.com', '')).toBe('missing');
    expect(level('jsmith@gmail.com', 'jsmith@yahoo.com')).toBe('same mailbox name or close');
    expect(level('johnsmith@gmail.com', 'jonhsmith@gmail.com')).toBe('same mailbox name or close');
    // A typo is close only at the same provider.
    expect(level('johnsmith@gmail.com', 'jonhsmith@yahoo.com')).toBe('different');
    // Two namesakes numbering their mailboxes are two people, however close the spelling.
    expect(level('johnsmith48@gmail.com', 'johnsmith66@gmail.com')).toBe('different');
    expect(level('john48smith@gmail.com', 'johnsmith@gmail.com')).toBe('same mailbox name or close');
    expect(level('anna@web.de', 'bob@web.de')).toBe('different');
    expect(level('anna@web.de', 'anna.lee@web.de')).toBe('different');
  });
});

describe('phone comparison', () => {
  const level = (a: string, b: string): string => compare('phone', { phone: a }, { phone: b });

  it('finds a subscriber number written with and without its prefixes, and one digit off', () => {
    expect(level('+61291035807', '+61291035807')).toBe('exact');
    expect(level('+61291035807', '0291035807')).toBe('same subscriber number (last 7-8 digits)');
    expect(level('+13125550123', '5550123')).toBe('same subscriber number (last 7-8 digits)');
    expect(level('+61291035807', '+61291035817')).toBe('one digit off');
    expect(level('+61291035807', '+6129103580')).toBe('different');
    expect(level('+61291035807', '+61299999999')).toBe('different');
  });
});

describe('swapped given and family names', () => {
  const person = (given: string, family: string): MatchRecord => ({ given, family }) as MatchRecord;

  it('takes names written family first for the same person, not namesakes', () => {
    expect(namesSwapped(person('Wang', 'Fang'), person('Fang', 'Wang'))).toBe(true);
    expect(namesSwapped(person('Smith', 'Jon'), person('John', 'Smith'))).toBe(true);
    expect(namesSwapped(person('John', 'Smith'), person('Jon', 'Smyth'))).toBe(false);
    expect(namesSwapped(person('Maria', 'Lopez'), person('Marie', 'Lopes'))).toBe(false);
    expect(namesSwapped(person('Wang', ''), person('', 'Wang'))).toBe(false);
  });

  it('decides as comparing both orientations in full does', () => {
    // The crossed names are asked only as far as they can win (bounded Jaro-Winkler): the
    // answer must be the plain one for every pair.
    const names = ['wang', 'fang', 'wong', 'john', 'jon', 'jones', 'joan', 'smith', 'smyth', 'anna', 'ann', 'adams', 'adam', 'lee', 'li', 'le', 'mary', 'maria', 'marie', 'j', 'a', 'jean paul', 'paul', 'ng', 'nguyen'];
    const full = (a: MatchRecord, b: MatchRecord): boolean => {
      if (!a.given || !a.family || !b.given || !b.family || a.given === b.given || a.family === b.family) return false;
      if (a.given[0] !== b.family[0] && a.family[0] !== b.given[0]) return false;
      return jaroWinkler(a.given, b.family) + jaroWinkler(a.family, b.given) > jaroWinkler(a.given, b.given) + jaroWinkler(a.family, b.family) + 0.2;
    };
    let swaps = 0;
    let pairs = 0;
    for (const g1 of names) for (const f1 of names) for (const g2 of names) for (const f2 of names) {
      if ((g1.length + f1.length + g2.length + f2.length) % 3 !== 0) continue;
      const a = person(g1, f1);
      const b = person(g2, f2);
      const want = full(a, b);
      pairs++;
      if (want) swaps++;
      if (namesSwapped(a, b) !== want) expect.fail(`${g1} ${f1} / ${g2} ${f2}: ${!want}, in full ${want}`);
    }
    expect(pairs).toBeGreaterThan(100_000);
    expect(swaps).toBeGreaterThan(100);
  });
});
