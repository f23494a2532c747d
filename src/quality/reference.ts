/**
 * Reference data the accuracy dimension checks against. Only what is published and stable is
 * here: Australia Post's postcode ranges per state and territory. Other countries are not
 * checked (their postcode format is already checked by the standardizer, as validity), so
 * accuracy is measured only where a rule below applies; docs/quality.md says so.
 */

/** Australia Post postcode ranges [from, to] by state or territory code. */
const AU_STATE_POSTCODES: Readonly<Record<string, readonly (readonly [number, number])[]>> = {
  NSW: [[1000, 2599], [2619, 2899], [2921, 2999]],
  ACT: [[200, 299], [2600, 2618], [2900, 2920]],
  VIC: [[3000, 3999], [8000, 8999]],
  QLD: [[4000, 4999], [9000, 9999]],
  SA: [[5000, 5999]],
  WA: [[6000, 6999]],
  TAS: [[7000, 7999]],
  NT: [[800, 999]],
};

/** State names as written in the sources, folded to their code. */
const AU_STATE_NAMES: Readonly<Record<string, string>> = {
  'NEW SOUTH WALES': 'NSW',
  'AUSTRALIAN CAPITAL TERRITORY': 'ACT',
  VICTORIA: 'VIC',
  QUEENSLAND: 'QLD',
  'SOUTH AUSTRALIA': 'SA',
  'WESTERN AUSTRALIA': 'WA',
  TASMANIA: 'TAS',
  'NORTHERN TERRITORY': 'NT',
};

function auState(region: string): string | undefined {
  const r = region.trim().toUpperCase().replace(/\./g, '');
  return AU_STATE_POSTCODES[r] ? r : AU_STATE_NAMES[r];
}

/**
 * Whether a postcode agrees with its region according to the reference data: true or false
 * when a rule applies, undefined when nothing is known (another country, an unknown region,
 * a postcode that is not four digits). `country` is an ISO2 code.
 */
export function postcodeAgreesWithRegion(postcode: string, region: string, country: string): boolean | undefined {
  if (country.toUpperCase() !== 'AU') return undefined;
  const state = auState(region);
  if (!state || !/^\d{4}$/.test(postcode.trim())) return undefined;
  const n = Number(postcode.trim());
  return AU_STATE_POSTCODES[state]!.some(([from, to]) => n >= from && n <= to);
}
