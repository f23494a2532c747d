import type { XlsxSourceConfig } from '../../config/sources/xlsx.js';
import { CrmEtlError } from '../../core/errors.js';
import type { SourceBatch, SourceConnector } from '../connector.js';

/** Placeholder until the `xlsx` connector lands. */
export class XlsxSource implements SourceConnector {
  constructor(private readonly cfg: XlsxSourceConfig) {}

  async check(): Promise<{ columns: string[] }> {
    throw new CrmEtlError('CONFIG_INVALID', `source "${this.cfg.name}": kind "xlsx" is not available yet`);
  }

  // eslint-disable-next-line require-yield
  async *read(): AsyncIterable<SourceBatch> {
    throw new CrmEtlError('CONFIG_INVALID', `source "${this.cfg.name}": kind "xlsx" is not available yet`);
  }
}
