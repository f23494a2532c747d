import type { MalformedRow, RawRecord } from '../core/record.js';

/** Opaque, JSON-serialisable position in a source, kept per source between runs. */
export type Cursor = Record<string, unknown>;

/** What one read step yields: records, rows that could not be read, and where we are. */
export interface SourceBatch {
  records: RawRecord[];
  malformed: MalformedRow[];
  /** Position after this batch; a run that stops here resumes from it. */
  cursor: Cursor;
  /**
   * False when the connector was given a cursor but could not honour it (a file rewritten in
   * place) and read the source from the start: the read is then a full snapshot. Absent means
   * the cursor, if any, was honoured.
   */
  resumed?: boolean;
  /** What a person should know about this read (e.g. why a cursor was not honoured); on the first batch. */
  notes?: string[];
  /**
   * Columns this batch's records have that no earlier batch of the read had, for sources whose
   * records need not share their columns (JSON): `check()` sees only a sample.
   */
  columns?: string[];
}

/**
 * The seam every source kind implements: only what the pipeline calls.
 * `check` validates configuration and connectivity before anything is written;
 * `read` streams batches (memory stays flat whatever the source size).
 */
export interface SourceConnector {
  /**
   * Source columns as the source names them; throws a CrmEtlError saying what and where.
   * `notes` (optional) are warnings a person should see before trusting the read, e.g. an
   * encoding guessed with low confidence; each says what was assumed and what to set.
   */
  check(): Promise<{ columns: string[]; notes?: string[] }>;
  read(opts?: ReadOptions): AsyncIterable<SourceBatch>;
}

/** How a read starts: from a stored cursor, and for sources that keep change times, from a time. */
export interface ReadOptions {
  cursor?: Cursor;
  batchSize?: number;
  /**
   * Read the records changed at or after this instant (`crm-etl resync --since`), and everything
   * after `cursor` as well when the cursor is older, so nothing between the two is skipped. Only
   * sources whose records carry a change time honour it: see {@link sinceUnsupported}.
   */
  since?: Date;
}
