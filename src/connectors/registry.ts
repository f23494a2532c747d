import type { SourceConfig } from '../config/schema.js';
import { CrmEtlError } from '../core/errors.js';
import type { SourceConnector } from './connector.js';
import { CsvSource } from './csv/csv-source.js';
import { FixedWidthSource } from './fixed-width/fixed-width-source.js';
import { HttpSource } from './http/http-source.js';
import { SqlSource } from './sql/sql-source.js';
import { XlsxSource } from './xlsx/xlsx-source.js';
import { XmlSource } from './xml/xml-source.js';

type Kind = SourceConfig['kind'];
type ConfigOf<K extends Kind> = Extract<SourceConfig, { kind: K }>;

/** Connector kinds, registered explicitly: kind → constructor. */
const connectors: { [K in Kind]: (cfg: ConfigOf<K>) => SourceConnector } = {
  csv: (cfg) => new CsvSource(cfg),
  sql: (cfg) => new SqlSource(cfg),
  http: (cfg) => new HttpSource(cfg),
  xlsx: (cfg) => new XlsxSource(cfg),
  'fixed-width': (cfg) => new FixedWidthSource(cfg),
  xml: (cfg) => new XmlSource(cfg),
};

/** Builds the connector for a source's configuration. */
export function createConnector(cfg: SourceConfig): SourceConnector {
  const make = connectors[cfg.kind] as (c: SourceConfig) => SourceConnector;
  return make(cfg);
}

/**
 * Refuses a read from a time (`--since`) that cannot be done, before anything is read or queued:
 * with `--full`, or of a source that keeps no change time (see {@link sinceUnsupported}).
 *
 * @throws CrmEtlError `INPUT_INVALID` saying what to do instead.
 */
export function checkReadFromTime(sources: readonly SourceConfig[], read: { full?: boolean; since?: Date | undefined }): void {
  if (!read.since) return;
  if (read.full) throw new CrmEtlError('INPUT_INVALID', '--since and --full do not go together: --full reads every record, --since those changed since a time');
  for (const cfg of sources) {
    const why = sinceUnsupported(cfg);
    if (why) throw new CrmEtlError('INPUT_INVALID', why);
  }
}

/**
 * Why a source cannot be read from a time (`--since`), or null when it can: a `sql` source with a
 * `cursor` column (a date or time column, checked when read) or an `http` source with `since_param`.
 * Files keep no change time per record; they are read from their cursor or in full.
 */
export function sinceUnsupported(cfg: SourceConfig): string | null {
  if (cfg.kind === 'sql') {
    return cfg.cursor !== undefined ? null : `source "${cfg.name}" (sql) has no cursor column: set cursor to the column holding the update time, or re-read it with --full`;
  }
  if (cfg.kind === 'http') {
    return cfg.since_param !== undefined ? null : `source "${cfg.name}" (http) has no since_param: set since_param and cursor_field, or re-read it with --full`;
  }
  return `source "${cfg.name}" (${cfg.kind}) keeps no change time per record, so it cannot be read from a time; re-read it with --full (an appended file is read from its cursor anyway)`;
}
