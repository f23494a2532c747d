import { fail, ok, type TransformResult } from '../../core/issue.js';

/**
 * Identifiers whose format and check digit are known: a value in that format with a wrong check
 * digit is an issue (ID_CHECKSUM), never a silent pass. Other identifiers are kept as written
 * (upper case, without spaces and dashes).
 */

const CN_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CN_ID_CHECK = '10X98765432';
const CN_RESIDENT_ID = /^\d{17}[\dX]$/;

/** Chinese resident identity number (GB 11643-1999): 17 digits and an ISO 7064 MOD 11-2 check character. */
export function checkChineseResidentId(id: string): 'ok' | 'checksum' | 'date' {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (id.charCodeAt(i) - 48) * CN_ID_WEIGHTS[i]!;
  if (CN_ID_CHECK[sum % 11] !== id[17]) return 'checksum';
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1850 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return 'date';
  return 'ok';
}

const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const USCC = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

/** Chinese unified social credit code (GB 32100-2015): 18 characters, the last a MOD 31 check character. */
export function checkUnifiedSocialCreditCode(code: string): boolean {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_ALPHABET.indexOf(code[i]!) * USCC_WEIGHTS[i]!;
  const check = (31 - (sum % 31)) % 31;
  return USCC_ALPHABET[check] === code[17];
}

const SEPARATORS = /[\s\-./]+/g;

/** A national identifier: a Chinese resident identity number is checked, others kept as written. */
export function standardizeNationalId(value: string): TransformResult<string> {
  const id = value.toUpperCase().replace(SEPARATORS, '');
  if (CN_RESIDENT_ID.test(id)) {
    const r = checkChineseResidentId(id);
    if (r === 'checksum') return fail('national_id', 'ID_CHECKSUM', 'The check character of this Chinese resident identity number is wrong: a digit is mistyped.');
    if (r === 'date') return fail('national_id', 'ID_INVALID', 'The birth date inside this Chinese resident identity number does not exist.');
  }
  return ok(id);
}

/** A tax identifier: a Chinese unified social credit code is checked, others kept as written. */
export function standardizeTaxId(value: string): TransformResult<string> {
  const id = value.toUpperCase().replace(SEPARATORS, '');
  if (id.length === 18 && USCC.test(id) && !checkUnifiedSocialCreditCode(id)) {
    return fail('tax_id', 'ID_CHECKSUM', 'The check character of this unified social credit code is wrong: a character is mistyped.');
  }
  return ok(id);
}
