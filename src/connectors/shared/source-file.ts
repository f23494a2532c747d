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

/**
 * Whether a read may resume from a cursor taken on a file of `prev` size and time: the file is
 * the one read before, or has only grown (append-only exports). A file rewritten in place is
 * read from the start.
 */
export function fileMayResume(prev: { size: number; mtimeMs: number }, size: number, mtimeMs: number): boolean {
  return size > prev.size || (size === prev.size && mtimeMs === prev.mtimeMs);
}
