/**
 * End-to-end benchmark: generated multi-source customer data, the whole pipeline (read three
 * sources, standardize, stage, match, cluster, survive, load, score quality) on PostgreSQL with
 * the inline runner, per stage; pairwise F1 against the generator's truth; PostgreSQL's CPU time
 * and the write-ahead log it wrote meanwhile (the whole server's); and the raw floor in the same
 * run: parsing the same CSV files and COPYing the same rows into an unindexed table.
 *
 *   npm run bench                                   # 100k and 1M records
 *   npm run bench -- --records 100000               # one size
 *   npm run bench -- --records 30000 --store postgres://postgres@127.0.0.1:5432/test
 *   CRM_ETL_KEY=$(openssl rand -base64 32) npm run bench -- --records 100000   # encrypted, as in production
 *
 * Generated data is kept in .bench/ (same size and seed: generated once). Each run uses a new
 * PostgreSQL schema and drops it afterwards. It runs the compiled dist/ (what `crm-etl` runs;
 * `npm run bench` builds it first); `--source` runs the TypeScript sources through tsx instead.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { PairMetrics } from '../src/eval/pair-metrics.js';
import { libRoot } from './compiled.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '100000,1000000' },
    store: { type: 'string', default: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    seed: { type: 'string', default: '1' },
    // The TypeScript sources through tsx instead of the compiled dist/ that `crm-etl` runs (tsx
    // wraps every closure it makes in a defineProperty, which can cost seconds in hot loops).
    source: { type: 'boolean', default: false },
    // Memory every 100 ms into this file, a line each: ms since the process started, then RSS,
    // heap total, heap used, external and array buffers in MB. The first line is JSON: the run's
    // start on the same clock and its stages' wall times.
    'rss-trace': { type: 'string' },
  },
});
// What users run: the compiled code (`npm run bench` builds it first), workers included.
const lib = libRoot(values.source!);
const { loadConfig } = (await import(`${lib}config/load-config.js`)) as typeof import('../src/config/load-config.js');
const { CsvParser } = (await import(`${lib}connectors/csv/csv-parser.js`)) as typeof import('../src/connectors/csv/csv-parser.js');
const { createLogger } = (await import(`${lib}core/logger.js`)) as typeof import('../src/core/logger.js');
const { writeDataset } = (await import(`${lib}generator/index.js`)) as typeof import('../src/generator/index.js');
const { runPipeline } = (await import(`${lib}pipeline/run-pipeline.js`)) as typeof import('../src/pipeline/run-pipeline.js');
const { openStore } = (await import(`${lib}store/index.js`)) as typeof import('../src/store/index.js');
const { cipherFromEnv } = (await import(`${lib}security/field-cipher.js`)) as typeof import('../src/security/field-cipher.js');
const sizes = values.records!.split(',').map((s) => Number(s.replace(/[_k]/g, (c) => (c === 'k' ? '000' : ''))));
const n = (x: number): string => Math.round(x).toLocaleString('en-US');
const sec = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const mb = (b: number): string => `${(b / 1048576).toFixed(0)} MB`;

async function dataset(records: number): Promise<string> {
  const dir = path.resolve('.bench', `gen-${records}-seed${values.seed}`);
  if (!existsSync(path.join(dir, 'truth.csv'))) {
    process.stderr.write(`generating ${n(records)} records in ${dir} …\n`);
    await writeDataset(dir, { records, seed: Number(values.seed) });
  }
  return dir;
}

/** The floor: our CSV parser over the same files, rows COPYed into an unindexed table. */
async function rawFloor(dir: string, schema: string): Promise<{ ms: number; rows: number }> {
  const config = await loadConfig(path.join(dir, 'config.yaml'));
  const client = new pg.Client({ connectionString: values.store });
  await client.connect();
  const t0 = performance.now();
  let rows = 0;
  try {
    await client.query(`create schema if not exists "${schema}"`);
    for (const src of config.sources) {
      if (src.kind !== 'csv') continue;
      const delimiter = src.delimiter ?? ',';
      const parser = new CsvParser({ delimiter });
      let header: string[] | undefined;
      const table = `"${schema}"."floor_${src.name}"`;
      let copy: ReturnType<typeof copyFrom> | undefined;
      let done: Promise<void> | undefined;
      let buf: string[] = [];
      const flush = async (): Promise<void> => {
        if (!buf.length || !copy) return;
        const chunk = buf.join('');
        buf = [];
        const c = copy;
        if (!c.write(chunk)) await new Promise((r) => c.once('drain', r));
      };
      const esc = (v: string): string => v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
      const onRow = (r: { fields: string[] }): void => {
        if (!header) {
          header = r.fields.map((f) => f.replace(/^\uFEFF/, ''));
          return;
        }
        rows++;
        buf.push(r.fields.map(esc).join('\t') + '\n');
      };
      let created = false;
      for await (const chunk of createReadStream(src.path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
        parser.push(chunk as string, onRow, () => {});
        if (header && !created) {
          await client.query(`create unlogged table ${table} (${header.map((_, i) => `c${i} text`).join(', ')})`);
          created = true;
          const c = (copy = client.query(copyFrom(`copy ${table} from stdin`)));
          done = new Promise<void>((resolve, reject) => {
            c.on('finish', () => resolve());
            c.on('error', reject);
          });
        }
        if (created) await flush();
      }
      parser.end(onRow, () => {});
      await flush();
      copy?.end();
      await done;
    }
    return { ms: performance.now() - t0, rows };
  } finally {
    await client.query(`drop schema if exists "${schema}" cascade`).catch(() => undefined);
    await client.end();
  }
}

/** `crm-etl eval --truth … --json` on the run's store, in a child process (see benchOne). */
function evaluate(dir: string, storeUrl: string): PairMetrics {
  const args = ['eval', '--truth', path.join(dir, 'truth.csv'), '-c', path.join(dir, 'config.yaml'), '--json'];
  const mainTs = new URL('../src/cli/main.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(mainTs)}).then(async (m) => { process.exitCode = await m.main(['node', 'crm-etl', ...process.argv.slice(1)]); })`;
  const cli = values.source ? ['--import', 'tsx', '-e', boot] : [fileURLToPath(new URL('../bin/crm-etl.js', import.meta.url))];
  const out = execFileSync(process.execPath, [...cli, ...args], { env: { ...process.env, DATABASE_URL: storeUrl }, encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out) as PairMetrics;
}

interface Result {
  records: number;
  ms: number;
  floorMs: number;
  peakRss: number;
  f1: number;
  precision: number;
  recall: number;
}

/**
 * When each stage ran, from `t0`: the top-level stages (extract per source, match, quality+load)
 * run one after the other, as do the match stage's phases; the load's phases overlap (the match
 * index is written beside the master), so they get no span of their own.
 */
function stageSpans(stages: readonly { stage: string; ms: number }[], t0: number): Map<string, [from: number, to: number]> {
  const out = new Map<string, [number, number]>();
  let at = t0;
  let matchAt = 0;
  for (const st of stages) {
    const sub = /^match:/.test(st.stage);
    // The load's phases, and the quality scoring inside quality+load.
    if ((!sub && st.stage.includes(':') && !st.stage.startsWith('extract:')) || st.stage === 'quality') continue;
    const from = sub ? matchAt : at;
    out.set(st.stage, [from, from + st.ms]);
    if (sub) matchAt += st.ms;
    else {
      if (st.stage === 'match') matchAt = at;
      at += st.ms;
    }
  }
  return out;
}

/** Peak RSS per stage span from timed samples. */
function stagePeaks(spans: ReadonlyMap<string, [number, number]>, samples: readonly { at: number; rss: number }[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const [stage, [from, to]] of spans) {
    const peak = samples.reduce((m, s) => (s.at >= from && s.at <= to ? Math.max(m, s.rss) : m), 0);
    if (peak) out.set(stage, peak);
  }
  return out;
}

/** CPU seconds so far at a time: this process (every thread) and PostgreSQL's processes on this machine. */
interface CpuSample {
  at: number;
  node: number;
  pg: number;
}

/**
 * CPU seconds per stage span, this process's and PostgreSQL's, from cumulative samples
 * (interpolated at the span's ends): with the wall time, how many cores a stage kept busy.
 */
function stageCpu(spans: ReadonlyMap<string, [number, number]>, samples: readonly CpuSample[]): Map<string, { node: number; pg: number }> {
  const at = (t: number, k: 'node' | 'pg'): number => {
    let i = 0;
    while (i < samples.length - 1 && samples[i + 1]!.at < t) i++;
    const a = samples[i]!;
    const b = samples[Math.min(i + 1, samples.length - 1)]!;
    if (b.at <= a.at || t <= a.at) return a[k];
    return a[k] + ((b[k] - a[k]) * Math.min(1, (t - a.at) / (b.at - a.at)));
  };
  const out = new Map<string, { node: number; pg: number }>();
  if (samples.length < 2) return out;
  for (const [stage, [from, to]] of spans) out.set(stage, { node: at(to, 'node') - at(from, 'node'), pg: at(to, 'pg') - at(from, 'pg') });
  return out;
}

/**
 * CPU seconds used by PostgreSQL's processes on this machine (ended backends included, through the
 * postmaster's count of its children's time); 0 where there is no /proc or no local PostgreSQL.
 */
function postgresCpu(): number {
  const tick = 100; // USER_HZ on Linux
  let total = 0;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      } catch {
        continue;
      }
      const close = stat.lastIndexOf(')');
      if (!stat.slice(stat.indexOf('(') + 1, close).startsWith('postgres')) continue;
      const f = stat.slice(close + 2).split(' ');
      total += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    }
  } catch {
    return 0;
  }
  return total / tick;
}

/** Resets the kernel's record of this process's peak RSS (`/proc/self/clear_refs`, Linux). */
function resetPeakRss(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // Not Linux, or not allowed: the high-water mark then counts from the process's start.
  }
}

/**
 * The server's write-ahead log position (`pg_current_wal_lsn()`), null where it cannot be read. The
 * WAL a run writes (with whatever else the server does meanwhile) is the distance to it after:
 * {@link walSince}. A full run's WAL is what the server writes and syncs beyond the tables
 * themselves; with `max_wal_size` (1 GB by default) it also sets how often PostgreSQL checkpoints.
 */
async function walPosition(store: { knex: import('knex').Knex }): Promise<string | null> {
  try {
    const res = (await store.knex.raw('select pg_current_wal_lsn()::text as lsn')) as { rows: { lsn: string }[] };
    return res.rows[0]!.lsn;
  } catch {
    return null;
  }
}

/** Bytes of write-ahead log since `lsn` (see {@link walPosition}); null where unknown. */
async function walSince(store: { knex: import('knex').Knex }, lsn: string): Promise<number | null> {
  try {
    const res = (await store.knex.raw('select pg_wal_lsn_diff(pg_current_wal_lsn(), ?::pg_lsn)::float8 as bytes', [lsn])) as { rows: { bytes: number }[] };
    return Number(res.rows[0]!.bytes);
  } catch {
    return null;
  }
}

/** The process's peak RSS since {@link resetPeakRss} (VmHWM), in bytes; null where unknown. */
function highWaterRss(): number | null {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

async function benchOne(records: number): Promise<Result> {
  const dir = await dataset(records);
  const schema = `bench_${records}_${process.pid}`;
  const url = new URL(values.store!);
  url.searchParams.set('schema', schema);
  const config = await loadConfig(path.join(dir, 'config.yaml'), { ...process.env, DATABASE_URL: url.toString() });
  // As `crm-etl run` opens it: with CRM_ETL_KEY set, sensitive fields are encrypted and the index keyed.
  const store = await openStore(config.store, { cipher: cipherFromEnv(process.env, config.security.sensitive_fields) });
  let peakRss = process.memoryUsage().rss;
  // RSS every 100 ms with its time: each stage's peak is the highest sample within its span.
  const samples: { at: number; rss: number }[] = [];
  const trace: string[] = [];
  // CPU every 500 ms (reading /proc for PostgreSQL's processes costs a few milliseconds).
  const cpuSamples: CpuSample[] = [];
  const cpuSample = (): void => {
    const c = process.cpuUsage();
    cpuSamples.push({ at: performance.now(), node: (c.user + c.system) / 1e6, pg: postgresCpu() });
  };
  let tick = 0;
  const sampler = setInterval(() => {
    if (++tick % 5 === 0) cpuSample();
    const mu = process.memoryUsage();
    const rss = mu.rss;
    samples.push({ at: performance.now(), rss });
    if (values['rss-trace']) trace.push([Math.round(performance.now()), ...[mu.rss, mu.heapTotal, mu.heapUsed, mu.external, mu.arrayBuffers].map((x) => Math.round(x / 1048576))].join(' '));
    peakRss = Math.max(peakRss, rss);
  }, 100);
  try {
    await store.migrate();
    // The kernel's high-water mark of RSS from here: the sampler above runs on this thread's event
    // loop and misses what happens while the thread is busy (at a million records it saw nothing
    // for 7 s at the start of the load). Linux only; elsewhere the samples' peak stands alone.
    resetPeakRss();
    const before = cpuSamples.length;
    cpuSample();
    const wal0 = await walPosition(store);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const summary = await runPipeline({ config, store, log: createLogger('warn') });
    const ms = performance.now() - t0;
    cpuSample();
    const walBytes = wal0 === null ? null : await walSince(store, wal0);
    // PostgreSQL's share, from the samples taken just before and just after the run.
    const pgCpu = cpuSamples[cpuSamples.length - 1]!.pg - cpuSamples[before]!.pg;
    // Process-wide: the matching worker threads' CPU time is in it too.
    const cpu = process.cpuUsage(cpu0);
    clearInterval(sampler);
    const sampledPeak = peakRss;
    const hwm = highWaterRss();
    if (hwm !== null) peakRss = Math.max(peakRss, hwm);
    if (values['rss-trace']) (await import('node:fs')).writeFileSync(values['rss-trace'], `${JSON.stringify({ start: Math.round(t0), stages: summary.stages })}\n${trace.join('\n')}\n`);
    await store.close();
    // Pairwise F1 as a user gets it (`crm-etl eval`), in a process of its own: in this one, after
    // a million-record run, reading the truth file took minutes (not understood; 1.7 s alone).
    const m = evaluate(dir, url.toString());
    console.log(`\n${n(records)} records, PostgreSQL, inline runner${store.cipher ? ' (CRM_ETL_KEY set: sensitive fields encrypted)' : ''}: ${sec(ms)} (${n(records / (ms / 1000))} records/s), ${((cpu.user + cpu.system) / 1e6).toFixed(1)} CPU-s, peak RSS ${mb(peakRss)}${hwm !== null ? ` (the kernel's high-water mark; the 100 ms samples' ${mb(sampledPeak)})` : ''}, load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    const server = [pgCpu > 0 ? `${pgCpu.toFixed(1)} CPU-s beside this process's` : '', walBytes !== null ? `${mb(walBytes)} of write-ahead log` : ''].filter(Boolean);
    if (server.length) console.log(`  PostgreSQL on this machine: ${server.join(', ')}`);
    // Cores: CPU seconds of this process (every thread) and of PostgreSQL, over the stage's wall time.
    console.log(`  ${'stage'.padEnd(22)} ${'wall'.padStart(9)} ${'records/s'.padStart(11)} ${'peak RSS'.padStart(9)} ${'CPU-s node + pg'.padStart(16)} ${'cores'.padStart(6)}`);
    const spans = stageSpans(summary.stages, t0);
    const peaks = stagePeaks(spans, samples);
    const cpuOf = stageCpu(spans, cpuSamples);
    for (const st of summary.stages) {
      const rate = st.records ? n(st.records / Math.max(st.ms / 1000, 1e-3)) : '';
      const peak = peaks.get(st.stage);
      const c = cpuOf.get(st.stage);
      const cpuText = c && st.ms >= 1000 ? `${c.node.toFixed(1)} + ${c.pg.toFixed(1)}` : '';
      const cores = c && st.ms >= 1000 ? ((c.node + c.pg) / (st.ms / 1000)).toFixed(2) : '';
      console.log(`  ${st.stage.padEnd(22)} ${sec(st.ms).padStart(9)} ${rate.padStart(11)} ${(peak ? mb(peak) : '').padStart(9)} ${cpuText.padStart(16)} ${cores.padStart(6)}`);
    }
    console.log(`  candidate pairs ${n(summary.matching.candidatePairs)}, customers ${n(summary.master?.customers ?? 0)}`);
    console.log(`  pairwise precision ${m.precision.toFixed(4)}, recall ${m.recall.toFixed(4)}, F1 ${m.f1.toFixed(4)}`);
    const floor = await rawFloor(dir, `${schema}_floor`);
    console.log(`  raw floor (parse the CSV files, COPY ${n(floor.rows)} rows into an unindexed table): ${sec(floor.ms)}; pipeline / floor = ${(ms / floor.ms).toFixed(1)}×`);
    return { records, ms, floorMs: floor.ms, peakRss, f1: m.f1, precision: m.precision, recall: m.recall };
  } finally {
    clearInterval(sampler);
    const client = new pg.Client({ connectionString: values.store });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  }
}

const machine = `${(await import('node:os')).cpus().length} cores, Node ${process.version}`;
console.log(`crm-etl end-to-end benchmark (${machine}; load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')})`);
const results: Result[] = [];
for (const size of sizes) results.push(await benchOne(size));
if (results.length > 1) {
  const [small, large] = [results[0]!, results[results.length - 1]!];
  console.log(`\ngrowth: ${n(large.records)} / ${n(small.records)} records took ${(large.ms / small.ms).toFixed(1)}× the time (${(large.records / small.records).toFixed(0)}× the records)`);
}

