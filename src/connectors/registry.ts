import type { SourceConfig } from '../config/schema.js';
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
