import { BoundedMemo } from '../../core/bounded-memo.js';
import type { TransformResult } from '../../core/issue.js';
import type { Gender } from './standardize-gender.js';

/** A bounded memo table of standardized results (see {@link BoundedMemo}). */
export class MemoTable<T> extends BoundedMemo<TransformResult<T>> {}

/**
 * Memo tables for the fields whose values repeat across a source (genders, given and family
 * names, cities, regions, countries, postcodes, company names), owned by the caller: create one
 * per source run and pass it to every {@link standardizeRecord} call of that run. The results are
 * the same with or without it (the rules are pure); it only saves recomputing them. Fields that
 * are nearly unique per record (e-mail, phone, street line, dates) are not memoized.
 */
export interface StandardizeCache {
  readonly gender: MemoTable<Gender | null>;
  readonly givenName: MemoTable<string>;
  readonly familyName: MemoTable<string>;
  readonly city: MemoTable<string>;
  readonly region: MemoTable<string>;
  readonly country: MemoTable<string>;
  /** Keyed by country + value: the format depends on the country. */
  readonly postcode: MemoTable<string>;
  readonly companyName: MemoTable<string>;
}

/**
 * Creates a {@link StandardizeCache}. `maxEntriesPerField` (default 20,000) bounds each table; a
 * full table is emptied and refilled, so memory stays flat on any input size.
 */
export function createStandardizeCache(options: { maxEntriesPerField?: number } = {}): StandardizeCache {
  const max = options.maxEntriesPerField ?? 20_000;
  return {
    gender: new MemoTable(max),
    givenName: new MemoTable(max),
    familyName: new MemoTable(max),
    city: new MemoTable(max),
    region: new MemoTable(max),
    country: new MemoTable(max),
    postcode: new MemoTable(max),
    companyName: new MemoTable(max),
  };
}
