import type { CanonicalValues } from './fields.js';
import type { Issue } from './issue.js';

/**
 * Where a record came from, precise enough for a person to find it: file + line, sheet + row,
 * table + primary key, or URL + page.
 */
export interface Lineage {
  /** File path, table name or URL. */
  location: string;
  /** 1-based physical line (text files) or row (sheets) where the record starts. */
  line?: number;
  sheet?: string;
  page?: string;
}

/** One record as a connector yields it: source columns, untouched but trimmed. */
export interface RawRecord {
  source: string;
  key: string;
  fields: Record<string, string>;
  lineage: Lineage;
  /** The source marks the record deleted (soft delete): it is staged as deleted and leaves its customer. */
  deleted?: true;
}

/** A row a connector could not turn into a record (broken quote, wrong field count…). */
export interface MalformedRow {
  source: string;
  lineage: Lineage;
  code: string;
  message: string;
  /** The raw text of the row where the format has one, for the rejects table. */
  raw?: string;
}

/** A record after mapping and standardization. */
export interface CleanRecord {
  source: string;
  key: string;
  lineage: Lineage;
  values: CanonicalValues;
  /** Unmapped source columns, kept with the record but not matched on. */
  extra: Record<string, string>;
  issues: Issue[];
  /** Rejected values by field: the original text, kept for the rejects table. */
  rejected: Record<string, string>;
}
