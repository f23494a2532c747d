// Public names of the standardize stage: pure field standardizers and the record-level entry point.
export { STANDARDIZE_ISSUE_CODES, type StandardizeIssueCode } from './issue-codes.js';
export { standardizeContextSchema, type StandardizeContext, type DateOrder } from './context.js';
export { normalizeText } from './normalize-text.js';
export {
  standardizePersonName,
  standardizeGivenName,
  standardizeFamilyName,
  composeFullName,
  type PersonName,
  type NameScript,
  type NameOptions,
} from './standardize-person-name.js';
export { standardizeEmail, emailMatchKey } from './standardize-email.js';
export {
  standardizePhone,
  formatPhoneValue,
  type StandardizedPhone,
  type PhoneLineType,
  type PhoneOptions,
} from './standardize-phone.js';
export {
  standardizeDate,
  standardizeBirthDate,
  standardizeDateTime,
  detectDateOrder,
  MONTH_FIRST_COUNTRIES,
  type DateContext,
} from './standardize-date.js';
export { standardizeGender, type Gender } from './standardize-gender.js';
export { standardizeAddressLine, STREET_TYPES, type AddressOptions } from './standardize-address-line.js';
export { standardizePostcode, POSTCODE_COUNTRIES } from './standardize-postcode.js';
export { standardizeCountry, COUNTRY_NAME_LOCALES } from './standardize-country.js';
export { standardizeCity } from './standardize-city.js';
export { standardizeRegion } from './standardize-region.js';
export { standardizeCompanyName, companyMatchKey, LEGAL_FORMS } from './standardize-company-name.js';
export {
  standardizeNationalId,
  standardizeTaxId,
  checkChineseResidentId,
  checkUnifiedSocialCreditCode,
} from './standardize-identifier.js';
export { standardizeRecord, type StandardizedRecord } from './standardize-record.js';
export { createStandardizeCache, type StandardizeCache, type MemoTable } from './standardize-cache.js';
