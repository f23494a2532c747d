import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
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

/** What a file source's cursor keeps of the file it read, to tell on resume whether it may skip what it read. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  /** {@link fileFingerprint} of the file's first `prefix` bytes (default: all `size`). */
  fingerprint: string;
  prefix?: number;
}

/** Bytes hashed at each end of the prefix, and the windows spread evenly between. */
const EDGE_BYTES = 64 * 1024;
const WINDOWS = 16;
const WINDOW_BYTES = 4096;

/**
 * A fingerprint of a file's first `size` bytes: SHA-1 of its first and last 64 KiB and of 16
 * windows of 4 KiB spread evenly between (at most 192 KiB read, whatever the size). Hashing
 * the whole prefix would catch every edit, but reading a multi-gigabyte export once more on
 * every resume would cost about what the resume saves. A file rewritten with other content
 * changes its first bytes, or shifts everything after the first inserted or removed row (so
 * the windows and the last 64 KiB differ); what this misses is an edit that keeps every byte
 * offset (a value replaced by one of the same length) and falls between the windows.
 */
export async function fileFingerprint(path: string, size: number): Promise<string> {
  const hash = createHash('sha1');
  hash.update(`${size}:`);
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(EDGE_BYTES);
    const take = async (from: number, length: number): Promise<void> => {
      const { bytesRead } = await fh.read(buf, 0, Math.min(length, buf.length), from);
      hash.update(buf.subarray(0, bytesRead));
    };
    if (size <= 2 * EDGE_BYTES + WINDOWS * WINDOW_BYTES) {
      for (let at = 0; at < size; at += EDGE_BYTES) await take(at, Math.min(EDGE_BYTES, size - at));
    } else {
      await take(0, EDGE_BYTES);
      const span = size - 2 * EDGE_BYTES - WINDOW_BYTES;
      for (let w = 0; w < WINDOWS; w++) await take(EDGE_BYTES + Math.floor((span * (w + 0.5)) / WINDOWS), WINDOW_BYTES);
      await take(size - EDGE_BYTES, EDGE_BYTES);
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

/** The file's size, time and fingerprint now, for the cursors of a read starting now. */
export async function stampFile(cfg: { name: string; path: string }): Promise<FileStamp> {
  let s;
  try {
    s = await stat(cfg.path);
  } catch (err) {
    throw sourceFileError(cfg, err);
  }
  return { size: s.size, mtimeMs: s.mtimeMs, fingerprint: await fileFingerprint(cfg.path, s.size) };
}

/**
 * Whether a read may resume from a cursor taken when the file was `prev`: the file is at least
 * as long, and its first `prev.size` bytes have the fingerprint they had then (the same file,
 * or one only appended to, as append-only exports are). Size and time alone are not enough: an
 * export rewritten with other, more rows is longer and newer, and skipping "the rows already
 * read" would skip rows never read. A cursor kept before fingerprints were (none in it) is
 * honoured only for a file of the same size and time.
 */
export async function fileMayResume(path: string, prev: { size: number; mtimeMs: number; fingerprint?: unknown; prefix?: unknown }, now: FileStamp): Promise<boolean> {
  if (now.size < prev.size && !(typeof prev.prefix === 'number' && now.size >= prev.prefix)) return false;
  if (typeof prev.fingerprint !== 'string') return now.size === prev.size && now.mtimeMs === prev.mtimeMs;
  // `prefix`: a fingerprint of fewer bytes than the file had (an XML export's closing tags
  // are left out, since records added at the end go before them).
  const length = typeof prev.prefix === 'number' && prev.prefix >= 0 && prev.prefix <= prev.size ? prev.prefix : prev.size;
  const then = length === now.size ? now.fingerprint : await fileFingerprint(path, length);
  return then === prev.fingerprint;
}

/** The note a read gives when it was handed a cursor it cannot honour. */
export function rereadNote(cfg: { name: string; path: string }): string {
  return `source "${cfg.name}": ${cfg.path} is not the file the last run read up to its cursor (rewritten, not only appended to), so it was read again from the start`;
}
