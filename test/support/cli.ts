import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { main } from '../../src/cli/main.js';

const run = promisify(execFile);
/** The project's root, where the tests run the command line (its configuration paths are relative to it). */
export const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/crm-etl.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The built command line, as a user runs it (npm test builds dist/ first): a process of its own. */
export async function spawnCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  try {
    const r = await run(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

let running = false;

/**
 * The same command line's `main` (what bin/crm-etl.js calls) in this process: its exit code, and
 * what it wrote through process.stdout and process.stderr, with `env` added to the environment and
 * the working directory at {@link ROOT} for the call. A process start and the loading of every
 * module fewer than {@link spawnCli}; the command, its options, output and exit code are the same.
 * An error `main` throws is reported as bin/crm-etl.js reports it (exit code 1).
 * (Log lines go straight to file descriptor 2, not through process.stderr: a test of what a
 * command logs spawns the command line.)
 */
export async function cliInProcess(args: string[], env: Record<string, string>): Promise<CliResult> {
  if (running) throw new Error('cliInProcess: one command at a time (it redirects this process\'s output)');
  running = true;
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const cwd = process.cwd();
  const out = { stdout: '', stderr: '' };
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  const capture = (to: 'stdout' | 'stderr') =>
    ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      out[to] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const done = rest.find((x): x is (e?: Error | null) => void => typeof x === 'function');
      if (done) process.nextTick(done);
      return true;
    }) as typeof process.stdout.write;
  Object.assign(process.env, env);
  process.chdir(ROOT);
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  let code: number;
  try {
    code = await main([process.execPath, BIN, ...args]);
  } catch (err) {
    out.stderr += `crm-etl: ${err instanceof Error ? err.message : String(err)}\n`;
    code = 1;
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
    process.chdir(cwd);
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    running = false;
  }
  return { code, ...out };
}
