import type { FixedWidthSourceConfig } from '../../config/sources/fixed-width.js';
import { CrmEtlError } from '../../core/errors.js';
import type { SourceBatch, SourceConnector } from '../connector.js';

/** Placeholder until the `fixed-width` connector lands. */
export class FixedWidthSource implements SourceConnector {
  constructor(private readonly cfg: FixedWidthSourceConfig) {}

  async check(): Promise<{ columns: string[] }> {
    throw new CrmEtlError('CONFIG_INVALID', `source "${this.cfg.name}": kind "fixed-width" is not available yet`);
  }

  // eslint-disable-next-line require-yield
  async *read(): AsyncIterable<SourceBatch> {
    throw new CrmEtlError('CONFIG_INVALID', `source "${this.cfg.name}": kind "fixed-width" is not available yet`);
  }
}
