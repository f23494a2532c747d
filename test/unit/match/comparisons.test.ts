import { describe, expect, it } from 'vitest';
import { COMPARISONS, MISSING } from '../../../src/transforms/match/comparisons.js';
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
