import { describe, expect, it } from 'vitest';
import {
  checkChineseResidentId,
  checkUnifiedSocialCreditCode,
  standardizeNationalId,
  standardizeRecord,
  standardizeTaxId,
} from '../../../src/transforms/standardize/index.js';

describe('identifiers with check characters', () => {
  it('accepts valid Chinese resident identity numbers and rejects a mistyped digit', () => {
    // The example of GB 11643-1999, with its X check character.
    expect(checkChineseResidentId('11010519491231002X')).toBe('ok');
    expect(standardizeNationalId('110105 19491231 002x')).toMatchObject({ ok: true, value: '11010519491231002X' });
    expect(checkChineseResidentId('110105194912310021')).toBe('checksum');
    expect(standardizeNationalId('110105194912310021')).toMatchObject({ ok: false, issues: [{ code: 'ID_CHECKSUM', path: ['national_id'] }] });
  });

  it('checks unified social credit codes', () => {
    // A published example code (GB 32100-2015 format) and the same with one character changed.
    expect(checkUnifiedSocialCreditCode('91350100M000100Y43')).toBe(true);
    expect(standardizeTaxId('91350100M000100Y43')).toMatchObject({ ok: true });
    expect(standardizeTaxId('91350100M000100Y44')).toMatchObject({ ok: false, issues: [{ code: 'ID_CHECKSUM' }] });
  });

  it('keeps identifiers of unknown formats as written, without separators', () => {
    expect(standardizeNationalId('123-45-6789')).toMatchObject({ ok: true, value: '123456789' });
    expect(standardizeTaxId('DE 123 456 789')).toMatchObject({ ok: true, value: 'DE123456789' });
  });

  it('quarantines a bad identifier in a record with its original text', () => {
    const r = standardizeRecord({ national_id: '110105194912310021' }, { today: '2026-01-01' });
    expect(r.values.national_id).toBeNull();
    expect(r.rejected.national_id).toBe('110105194912310021');
    expect(r.issues[0]).toMatchObject({ code: 'ID_CHECKSUM', severity: 'reject' });
  });
});
