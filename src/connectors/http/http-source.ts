import type { HttpSourceConfig } from '../../config/sources/http.js';
import { CrmEtlError } from '../../core/errors.js';
import type { SourceBatch, SourceConnector } from '../connector.js';

/** Placeholder until the `http` connector lands. */
export class HttpSource implements SourceConnector {
  constructor(private readonly cfg: HttpSourceConfig) {}

  async check(): Promise<{ columns: string[] }> {
    throw new CrmEtlError('CONFIG_INVALID', `source "${this.cfg.name}": kind "http" is not available yet`);
  }

  // eslint-disable-next-line require-yield
  async *read(): AsyncIterable<SourceBatch> {
    throw new CrmEtlError('CONFIG_INVALID', `source "${this.cfg.name}": kind "http" is not available yet`);
  }
}
