import { CrmEtlError } from '../../core/errors.js';

/** The error every file-based source gives when its file cannot be opened: which source, which file, what to do. */
export function sourceFileError(cfg: { name: string; path: string }, err: unknown): CrmEtlError {
  const code = (err as NodeJS.ErrnoException).code;
  return new CrmEtlError(
    'SOURCE_NOT_FOUND',
    `source "${cfg.name}": file ${cfg.path} cannot be opened (${code ?? 'error'}); check the source's path in the configuration`,
    { cause: err },
  );
}
