import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { type Document, isMap, parseDocument } from 'yaml';
import { z } from 'zod';
import { CrmEtlError } from '../core/errors.js';
import { maskUrl } from '../core/mask-url.js';
import { parseConfig } from './load-config.js';
import type { Config } from './schema.js';

/**
 * The settings an admin may change while `crm-etl serve` runs (`PATCH /api/config`, `crm-etl
 * config set`): each is read afresh by the next run or steward operation, and none holds a
 * secret or changes where data lives or how it is read. A path names a whole subtree.
 * - `matching.link_threshold`, `matching.review_threshold`: the auto-link and review band;
 * - `survivorship`: the rules that pick golden values (applied to customers rebuilt from then on;
 *   `crm-etl run --full` rebuilds every customer);
 * - `quality`: weights, consistency and optional fields, timeliness, anomaly thresholds, gates.
 * Not here, because they need a restart or a migration: `store`, `queue`, `sources` (paths,
 * credentials, mappings), the other `matching` keys (performance, re-tuned with benchmarks) and
 * `security` (changing `sensitive_fields` needs `crm-etl keys rotate`).
 */
export const RUNTIME_SETTINGS = ['matching.link_threshold', 'matching.review_threshold', 'survivorship', 'quality'] as const;

/**
 * A change: a JSON merge patch (RFC 7396) over the configuration file, limited to
 * {@link RUNTIME_SETTINGS}: objects merge key by key, `null` removes a key (its default applies
 * again), anything else (numbers, strings, arrays) replaces the value.
 */
export const configPatchSchema = z.record(z.string(), z.unknown());
export type ConfigPatch = z.infer<typeof configPatchSchema>;

/** One setting changed: its dotted path, and its effective value before and after (null: unset). */
export interface SettingChange {
  path: string;
  before: unknown;
  after: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const join = (p: readonly string[]): string => p.join('.');

/**
 * Refuses any part of `patch` outside {@link RUNTIME_SETTINGS}, naming its path.
 *
 * @throws CrmEtlError `INPUT_INVALID`: "matching.max_block_size: cannot be changed at runtime; …".
 */
export function checkPatchPaths(patch: unknown): void {
  const walk = (v: unknown, at: string[]): void => {
    const here = join(at);
    if (at.length && (RUNTIME_SETTINGS as readonly string[]).includes(here)) return;
    const below = RUNTIME_SETTINGS.some((s) => s.startsWith(`${here}${here ? '.' : ''}`));
    if (!at.length || below) {
      if (!isObject(v)) {
        throw new CrmEtlError('INPUT_INVALID', `${here || '(body)'}: expected an object holding some of: ${RUNTIME_SETTINGS.join(', ')}`);
      }
      for (const [k, x] of Object.entries(v)) walk(x, [...at, k]);
      return;
    }
    throw new CrmEtlError('INPUT_INVALID', `${here}: cannot be changed at runtime; the settings that can are ${RUNTIME_SETTINGS.join(', ')} (edit the file and restart for the others)`);
  };
  walk(patch, []);
  if (!Object.keys(patch as object).length) throw new CrmEtlError('INPUT_INVALID', `(body): an empty change; send some of: ${RUNTIME_SETTINGS.join(', ')}`);
}

/** Applies a merge patch to a YAML document in place, keeping its comments and `${VAR}`s elsewhere. */
function patchDocument(doc: Document, patch: Record<string, unknown>, at: string[] = []): void {
  for (const [k, v] of Object.entries(patch)) {
    const p = [...at, k];
    if (v === null) {
      doc.deleteIn(p);
    } else if (isObject(v)) {
      // A missing key, an empty value (`quality:`) or a scalar becomes a map to merge into.
      if (!isMap(doc.getIn(p, true))) doc.setIn(p, doc.createNode({}));
      patchDocument(doc, v, p);
    } else {
      doc.setIn(p, doc.createNode(v));
    }
  }
}

/** The file's text with `patch` applied: YAML keeps its comments; a `.json` file stays JSON. */
export function patchConfigText(text: string, file: string, patch: Record<string, unknown>): string {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new CrmEtlError('CONFIG_INVALID', `${file}: not valid YAML or JSON: ${doc.errors[0]!.message}`);
  if (!isMap(doc.contents)) throw new CrmEtlError('CONFIG_INVALID', `${file}: the configuration is not a mapping of settings (store:, sources:, …)`);
  patchDocument(doc, patch);
  return /\.json$/i.test(file) ? `${JSON.stringify(doc.toJS(), null, 2)}\n` : doc.toString();
}

/** The value at a dotted path of a plain object (undefined when absent). */
function valueAt(o: unknown, p: string): unknown {
  let x = o;
  for (const k of p.split('.')) x = isObject(x) ? x[k] : undefined;
  return x;
}

/** Leaves (arrays count as leaves; empty maps as nothing) of the runtime settings, by dotted path. */
function runtimeLeaves(config: Config): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (v: unknown, p: string): void => {
    if (isObject(v)) for (const [k, x] of Object.entries(v)) walk(x, `${p}.${k}`);
    else if (v !== undefined) out.set(p, v);
  };
  for (const s of RUNTIME_SETTINGS) walk(valueAt(config, s), s);
  return out;
}

/** What changed in the runtime settings between two configurations, leaf by leaf. */
export function diffRuntimeSettings(before: Config, after: Config): SettingChange[] {
  const a = runtimeLeaves(before);
  const b = runtimeLeaves(after);
  const out: SettingChange[] = [];
  for (const p of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    if (JSON.stringify(a.get(p)) !== JSON.stringify(b.get(p))) out.push({ path: p, before: a.get(p) ?? null, after: b.get(p) ?? null });
  }
  return out;
}

const SECRET_KEY = /(pass(word)?|secret|token|api[_-]?key|authorization|credential|private|cookie|session)/i;
const MASK = '***';

/**
 * The configuration fit to show: URLs without passwords (and secret query parameters), values of
 * secret-looking keys (`password`, `token`, `api_key`…) and every HTTP header value as `***`.
 */
export function maskConfigSecrets(config: Config): unknown {
  const walk = (v: unknown, key: string, parent: string): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, key, parent));
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k, key)]));
    if (typeof v !== 'string' || v === '') return v;
    if (parent === 'headers' || SECRET_KEY.test(key)) return MASK;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return maskUrl(v).replace(/([?&][^=&#]*(?:key|token|secret|passw|pwd|signature|auth|credential|session)[^=&#]*=)[^&#]*/gi, `$1${MASK}`);
    return v;
  };
  return walk(config, '', '');
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * Writes `text` to `file` atomically: a temporary file in the same folder (same mode as the
 * file), flushed to disk, then renamed over it. A reader sees the old file or the new one, never
 * half of one; a crash leaves at most a stray `.crm-etl-*.tmp` file.
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.crm-etl-${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const mode = await stat(file).then(
    (s) => s.mode & 0o777,
    () => 0o600,
  );
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  } finally {
    await fh.close().catch(() => undefined);
  }
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  // The rename itself is durable once the folder is flushed (best effort: not every platform can).
  const d = await open(dir, 'r').catch(() => null);
  await d?.sync().catch(() => undefined);
  await d?.close().catch(() => undefined);
}

/** A change validated and ready to write: see {@link LiveConfig.plan}. */
export interface ConfigChangePlan {
  /** The configuration in effect once committed. */
  config: Config;
  changes: SettingChange[];
  /** The file's version (SHA-256 of its text) before and after. */
  fromVersion: string;
  toVersion: string;
  /** Writes the file (atomically). */
  write(): Promise<void>;
  /** Puts the new configuration in effect (after a successful write). */
  commit(): void;
}

/**
 * The configuration a long-running process (`crm-etl serve`) works with, changeable at runtime
 * within {@link RUNTIME_SETTINGS}: read `current` at each use, never keep it. Changes are
 * validated with the same schema and environment as at start-up, written to the file the process
 * was started with (so they survive a restart) and applied one at a time.
 */
export class LiveConfig {
  private effectiveText: string | null;
  private config: Config;
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * @param file the configuration file (null: built from text; changes are refused);
   * @param text the file's text as loaded (what `config` was parsed from);
   * @param env the environment `${VAR}`s expand from (the one used at start-up).
   */
  constructor(
    readonly file: string | null,
    config: Config,
    text: string | null,
    private readonly env: Readonly<Record<string, string | undefined>>,
  ) {
    this.config = config;
    this.effectiveText = text;
  }

  /** Loads a configuration file (as loadConfig does) and keeps its text for later changes. */
  static async load(file: string, env: Readonly<Record<string, string | undefined>> = process.env): Promise<LiveConfig> {
    const abs = path.resolve(file);
    const text = await readFile(abs, 'utf8').catch((err: unknown) => {
      throw new CrmEtlError('CONFIG_NOT_FOUND', `configuration file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}); pass an existing file with -c FILE`, { cause: err });
    });
    return new LiveConfig(abs, parseConfig(text, { file, env, baseDir: path.dirname(abs) }), text, env);
  }

  /** The configuration in effect now (frozen). */
  get current(): Config {
    return this.config;
  }

  /** The version of the file on disk: SHA-256 of its text (an `If-Match` for changes). Null without a file. */
  async version(): Promise<string | null> {
    return this.file ? sha256(await readFile(this.file, 'utf8')) : null;
  }

  /** Runs `fn` after every change before it has finished: one change at a time. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Validates a change and prepares it; nothing is written or applied until `write` and `commit`.
   * The patch applies to the file as it is on disk now (what is written) and to the text this
   * process runs with (what takes effect: a hand edit of other settings still needs a restart).
   *
   * @throws CrmEtlError `INPUT_INVALID` for a path outside {@link RUNTIME_SETTINGS}, `CONFIG_INVALID`
   *   naming the file and each bad path for a value the schema refuses, `CONFLICT` when `ifMatch`
   *   is not the file's version, `NOT_FOUND` when there is no file.
   */
  async plan(patch: unknown, ifMatch?: string): Promise<ConfigChangePlan> {
    const file = this.file;
    if (!file || this.effectiveText === null) throw new CrmEtlError('NOT_FOUND', 'this process was not started from a configuration file: there is nothing to change');
    checkPatchPaths(patch);
    const onDisk = await readFile(file, 'utf8');
    const fromVersion = sha256(onDisk);
    if (ifMatch !== undefined && ifMatch !== fromVersion) {
      throw new CrmEtlError('CONFLICT', `${file} changed since version ${ifMatch.slice(0, 12)}… (it is ${fromVersion.slice(0, 12)}… now): read it again (GET /api/config) and re-apply the change`);
    }
    const p = patch as Record<string, unknown>;
    const newDisk = patchConfigText(onDisk, file, p);
    const opts = { file, env: this.env, baseDir: path.dirname(file) };
    // Validated as at start-up (same schema, same environment): errors name the file and path.
    const onDiskConfig = parseConfig(newDisk, opts);
    const newEffective = onDisk === this.effectiveText ? newDisk : patchConfigText(this.effectiveText, file, p);
    const config = newEffective === newDisk ? onDiskConfig : parseConfig(newEffective, opts);
    const before = this.config;
    return {
      config,
      changes: diffRuntimeSettings(before, config),
      fromVersion,
      toVersion: sha256(newDisk),
      write: () => writeFileAtomic(file, newDisk),
      commit: () => {
        this.effectiveText = newEffective;
        this.config = config;
      },
    };
  }
}
