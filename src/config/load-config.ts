import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { CrmEtlError } from '../core/errors.js';
import { configSchema, type Config } from './schema.js';

/**
 * Expands `${VAR}` and `${VAR:-default}` from `env`. An unset `${VAR}` without a default is an
 * error that names the variable, so a typo never turns into an empty path silently.
 */
export function expandEnv(text: string, env: Readonly<Record<string, string | undefined>>, file: string): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, def: string | undefined) => {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (def !== undefined) return def;
    throw new CrmEtlError(
      'CONFIG_INVALID',
      `${file}: environment variable ${name} is not set; set it or write \${${name}:-default}`,
    );
  });
}

function expandValues(v: unknown, env: Readonly<Record<string, string | undefined>>, file: string): unknown {
  if (typeof v === 'string') return expandEnv(v, env, file);
  if (Array.isArray(v)) return v.map((x) => expandValues(x, env, file));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expandValues(x, env, file)]));
  return v;
}

function formatPath(p: readonly PropertyKey[]): string {
  return p.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)), '');
}

/** Turns zod issues into one message that names the file and each bad path. */
export function formatConfigIssues(file: string, issues: readonly z.core.$ZodIssue[]): string {
  const lines = issues.map((i) => `  - ${formatPath(i.path) || '(root)'}: ${i.message}`);
  return `${file}: invalid configuration\n${lines.join('\n')}`;
}

/**
 * Parses configuration text (YAML or JSON: JSON is YAML). Relative source paths are resolved
 * against `baseDir`; the result is frozen.
 */
export function parseConfig(
  text: string,
  opts: { file: string; env?: Readonly<Record<string, string | undefined>>; baseDir?: string },
): Config {
  const env = opts.env ?? {};
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new CrmEtlError('CONFIG_INVALID', `${opts.file}: not valid YAML or JSON: ${(err as Error).message}`, { cause: err });
  }
  // Expanded after parsing, in string values only: comments are never expanded, and a value
  // that expands to nothing stays an empty string rather than becoming YAML null.
  doc = expandValues(doc, env, opts.file);
  const parsed = configSchema.safeParse(doc ?? {});
  if (!parsed.success) throw new CrmEtlError('CONFIG_INVALID', formatConfigIssues(opts.file, parsed.error.issues));
  const cfg = parsed.data;
  const baseDir = opts.baseDir ?? process.cwd();
  for (const s of cfg.sources) {
    if ('path' in s && typeof s.path === 'string') s.path = path.resolve(baseDir, s.path);
  }
  return deepFreeze(cfg);
}

/** Reads and validates a configuration file; source paths resolve against the file's folder. */
export async function loadConfig(file: string, env: Readonly<Record<string, string | undefined>> = process.env): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CrmEtlError('CONFIG_NOT_FOUND', `configuration file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}); pass an existing file with -c FILE`, { cause: err });
  }
  return parseConfig(text, { file, env, baseDir: path.dirname(path.resolve(file)) });
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
