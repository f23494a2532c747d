import type { SqlSourceConfig } from '../../config/sources/sql.js';
import { CrmEtlError } from '../../core/errors.js';
import type { SourceBatch, SourceConnector } from '../connector.js';

/** Placeholder until the `sql` connector lands. */
export class SqlSource implements SourceConnector {
  constructor(private readonly cfg: SqlSourceConfig) {}

  async check(): Promise<{ columns: string[] }> {
    throw new CrmEtlError('CONFIG_INVALID', `source "${this.cfg.name}": kind "sql" is not available yet`);
  }

  // eslint-disable-next-line require-yield
  async *read(): AsyncIterable<SourceBatch> {
    throw new CrmEtlError('CONFIG_INVALID', `source "${this.cfg.name}": kind "sql" is not available yet`);
  }
}
