import { describe, expect, it } from 'vitest';
import examples from 'libphonenumber-js/mobile/examples';
import {
  getCountries,
  getCountryCallingCode,
  getExampleNumber,
  ParseError,
  parsePhoneNumberWithError,
  type CountryCode,
  type PhoneNumber,
  validatePhoneNumberLength,
} from 'libphonenumber-js/max';
import { parsePhoneFast } from '../../../src/transforms/standardize/phone-fast-path.js';

// Deterministic pseudo-random numbers (mulberry32), so failures reproduce.
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function libParse(text: string, country: CountryCode | undefined): PhoneNumber | undefined {
  try {
    return parsePhoneNumberWithError(text, country === undefined ? { extract: false } : { defaultCountry: country, extract: false });
  } catch (e: unknown) {
    if (e instanceof ParseError) return undefined;
    throw e;
  }
}

const NATIONAL_PREFIX: Partial<Record<string, string>> = { AU: '0', GB: '0', DE: '0', CN: '0', JP: '0', TW: '0', FR: '0', NZ: '0', KR: '0', IN: '0', US: '1', CA: '1', RU: '8' };

describe('phone fast path agrees with libphonenumber-js', () => {
  it('gives the library answer whenever it answers, for every country', () => {
    const random = rng(20250601);
    let answered = 0;
    let validAnswered = 0;
    let invalidAnswered = 0;
    let validByLibrary = 0;
    let compared = 0;
    const mismatches: string[] = [];
    for (const country of getCountries()) {
      const cc = getCountryCallingCode(country);
      const example = getExampleNumber(country, examples)?.nationalNumber ?? '';
      const nationals: string[] = [];
      for (let i = 0; i < 25 && example !== ''; i++) {
        const keep = example.length - 1 - Math.floor(random() * Math.min(4, example.length - 1));
        let n = example.slice(0, keep);
        while (n.length < example.length) n += String(Math.floor(random() * 10));
        nationals.push(n);
      }
      for (let i = 0; i < 15; i++) {
        const len = 5 + Math.floor(random() * 8);
        let n = String(1 + Math.floor(random() * 9));
        while (n.length < len) n += String(Math.floor(random() * 10));
        nationals.push(n);
      }
      const prefix = NATIONAL_PREFIX[country] ?? '0';
      for (const n of nationals) {
        const inputs: Array<[string, CountryCode | undefined]> = [
          ['+' + cc + n, undefined],
          ['+' + cc + n, 'AU'],
          [n, country],
          [prefix + n, country],
        ];
        for (const [input, def] of inputs) {
          compared++;
          const lib = libParse(input, def);
          const libValid = lib?.isValid() === true;
          if (libValid) validByLibrary++;
          const fast = parsePhoneFast(input, def);
          if (fast === undefined) continue;
          answered++;
          const library = `library ${lib?.number ?? '-'} valid=${String(libValid)} ${lib?.getType() ?? '-'} ${lib?.country ?? '-'}`;
          if (fast.valid) {
            validAnswered++;
            const same = libValid && lib !== undefined && lib.number === fast.e164 && lib.getType() === fast.type && lib.country === fast.country;
            if (!same) mismatches.push(`${input} (${def ?? '-'}): fast ${fast.e164} ${fast.type} ${fast.country ?? '-'} vs ${library}`);
          } else {
            invalidAnswered++;
            const length = def === undefined ? validatePhoneNumberLength(input) : validatePhoneNumberLength(input, def);
            const same = !libValid && fast.parsed === (lib !== undefined) && (!fast.parsed || lib?.country === fast.country) && length === fast.length;
            if (!same) mismatches.push(`${input} (${def ?? '-'}): fast invalid ${String(fast.length)} parsed=${String(fast.parsed)} ${fast.country ?? '-'} vs ${library} length=${String(length)}`);
          }
        }
      }
    }
    expect(mismatches.slice(0, 20)).toEqual([]);
    expect(compared).toBeGreaterThan(30000);
    // The fast path should answer for the large majority of numbers the library finds valid.
    expect(validAnswered / validByLibrary).toBeGreaterThan(0.95);
    expect(invalidAnswered / (compared - validByLibrary)).toBeGreaterThan(0.8);
  });

  it('answers the common national and international shapes itself', () => {
    expect(parsePhoneFast('0412345678', 'AU')).toEqual({ valid: true, e164: '+61412345678', country: 'AU', type: 'MOBILE' });
    expect(parsePhoneFast('+61298765432', undefined)).toEqual({ valid: true, e164: '+61298765432', country: 'AU', type: 'FIXED_LINE' });
    expect(parsePhoneFast('13800138000', 'CN')).toEqual({ valid: true, e164: '+8613800138000', country: 'CN', type: 'MOBILE' });
    expect(parsePhoneFast('4155552671', 'US')).toMatchObject({ valid: true, e164: '+14155552671' });
    expect(parsePhoneFast('02079460958', 'GB')).toEqual({ valid: true, e164: '+442079460958', country: 'GB', type: 'FIXED_LINE' });
  });

  it('says why a plain number is invalid', () => {
    expect(parsePhoneFast('0412', 'AU')).toEqual({ valid: false, parsed: true, country: 'AU', length: 'TOO_SHORT' });
    expect(parsePhoneFast('415555', 'US')).toEqual({ valid: false, parsed: true, country: 'US', length: 'TOO_SHORT' });
    expect(parsePhoneFast('41555526710', 'US')).toEqual({ valid: false, parsed: true, country: 'US', length: 'TOO_LONG' });
    // A possible length but no number range: no length verdict.
    expect(parsePhoneFast('041234567', 'AU')).toEqual({ valid: false, parsed: true, country: 'AU', length: undefined });
  });

  it('leaves unusual input to the library', () => {
    expect(parsePhoneFast('0011441234567890', 'AU')).toBeUndefined(); // IDD prefix
    expect(parsePhoneFast('0049301234567', 'AU')).toBeUndefined(); // "00" prefix
    expect(parsePhoneFast('+80012345678', undefined)).toBeUndefined(); // non-geographic
    expect(parsePhoneFast('0412345678', undefined)).toBeUndefined();
  });
});
