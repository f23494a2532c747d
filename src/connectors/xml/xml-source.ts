import type { XmlSourceConfig } from '../../config/sources/xml.js';
import { CrmEtlError } from '../../core/errors.js';
import type { SourceBatch, SourceConnector } from '../connector.js';

/** Placeholder until the `xml` connector lands. */
export class XmlSource implements SourceConnector {
  constructor(private readonly cfg: XmlSourceConfig) {}

  async check(): Promise<{ columns: string[] }> {
    throw new CrmEtlError('CONFIG_INVALID', `source "${this.cfg.name}": kind "xml" is not available yet`);
  }

  // eslint-disable-next-line require-yield
  async *read(): AsyncIterable<SourceBatch> {
    throw new CrmEtlError('CONFIG_INVALID', `source "${this.cfg.name}": kind "xml" is not available yet`);
  }
}
