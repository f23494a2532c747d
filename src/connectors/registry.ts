import type { SourceConfig } from '../config/schema.js';
import type { SourceConnector } from './connector.js';
import { CsvSource } from './csv/csv-source.js';

type Kind = SourceConfig['kind'];
type ConfigOf<K extends Kind> = Extract<SourceConfig, { kind: K }>;

/** Connector kinds, registered explicitly: kind → constructor. */
const connectors: { [K in Kind]: (cfg: ConfigOf<K>) => SourceConnector } = {
  csv: (cfg) => new CsvSource(cfg),
};

/** Builds the connector for a source's configuration. */
export function createConnector(cfg: SourceConfig): SourceConnector {
  const make = connectors[cfg.kind] as (c: SourceConfig) => SourceConnector;
  return make(cfg);
}
