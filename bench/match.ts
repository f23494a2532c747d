/**
 * Times the matching engine alone on standardized records of a generated data set, and prints
 * pairwise F1 against the generator's truth beside the time.
 *
 *   npx tsx bench/generate.ts --records 1000000 --out /tmp/gen-1m
 *   npm run build && node --expose-gc --import tsx bench/match.ts /tmp/gen-1m [--threads N] [--source]
 *
 * It runs the compiled dist/ (what `crm-etl` runs); `--source` runs the TypeScript sources through
 * tsx instead (slower: tsx wraps closures).
 *
 * Reading and standardizing the sources is not timed (the pipeline bench covers it); the first
 * run caches the standardized records in DIR/.match-records.json and the encoded records (match
 * features in columns, as the match stage builds them) in DIR/.match-encoded.*, then measures in
 * a fresh process that starts from the encoded records.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { StandardizedRecord } from '../src/eval/standardized-records.js';
import type { EncodedRecords } from '../src/transforms/match/encoded.js';
import type { MatchRecord } from '../src/transforms/match/index.js';
import { libRoot } from './compiled.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { threads: { type: 'string' }, source: { type: 'boolean', default: false } } });
const dir = positionals[0];
if (!dir) {
  process.stderr.write('usage: npx tsx bench/match.ts DIR [--threads N] [--source]   (DIR from bench/generate.ts; `npm run build` first, or --source)\n');
  process.exit(2);
}
// The compiled dist/ that `crm-etl` runs (`npm run build` first), or with --source the TypeScript through tsx.
const lib = libRoot(values.source!);
const { readTruth } = (await import(`${lib}cli/main.js`)) as typeof import('../src/cli/main.js');
const { loadConfig } = (await import(`${lib}config/load-config.js`)) as typeof import('../src/config/load-config.js');
const { pairMetrics } = (await import(`${lib}eval/pair-metrics.js`)) as typeof import('../src/eval/pair-metrics.js');
const { readStandardizedRecords } = (await import(`${lib}eval/standardized-records.js`)) as typeof import('../src/eval/standardized-records.js');
const { RecordViews, encodeRecords, wordTable } = (await import(`${lib}transforms/match/encoded.js`)) as typeof import('../src/transforms/match/encoded.js');
const { matchRecords, toMatchRecord } = (await import(`${lib}transforms/match/index.js`)) as typeof import('../src/transforms/match/index.js');

async function standardizedRecords(): Promise<StandardizedRecord[]> {
  const cache = path.join(dir!, '.match-records.json');
  if (existsSync(cache)) return JSON.parse(readFileSync(cache, 'utf8')) as StandardizedRecord[];
  const out = await readStandardizedRecords(await loadConfig(path.join(dir!, 'config.yaml')), '2026-11-26');
  writeFileSync(cache, JSON.stringify(out));
  return out;
}

/**
 * The encoded records (features computed, values interned) as the match stage hands them to the
 * engine, cached in DIR: a run then starts from columns, and its memory is matching's own, not
 * the leftovers of parsing a million standardized records.
 */
const encodedCache = path.join(dir, '.match-encoded');
let tFeatures = Number.NaN;
if (!existsSync(`${encodedCache}.json`)) {
  const staged = await standardizedRecords();
  const t0 = performance.now();
  // Features are computed one record at a time straight into the engine's columns (as the
  // pipeline streams staged rows): no million match records as objects.
  const fresh = encodeRecords(
    (function* () {
      for (const r of staged) yield toMatchRecord(r.source, r.key, r.values);
    })(),
    staged.length,
  );
  tFeatures = performance.now() - t0;
  const { rows, source, words: _words, ...rest } = fresh;
  writeFileSync(`${encodedCache}.json`, JSON.stringify({ ...rest, refs: staged.map((r) => `${r.source}\u0000${r.key}`), tFeatures }));
  writeFileSync(`${encodedCache}.rows`, new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength));
  writeFileSync(`${encodedCache}.source`, new Uint8Array(source.buffer, source.byteOffset, source.byteLength));
  console.log(`encoded ${fresh.n.toLocaleString('en-US')} records in ${(tFeatures / 1000).toFixed(2)} s; measuring in a fresh process`);
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}
const cached = JSON.parse(readFileSync(`${encodedCache}.json`, 'utf8')) as Omit<EncodedRecords, 'rows' | 'source' | 'words'> & { refs: string[]; tFeatures: number };
const refs = cached.refs;
tFeatures = cached.tFeatures;
const shared = (file: string): Int32Array => {
  const bytes = readFileSync(file);
  const out = new Int32Array(new SharedArrayBuffer(Math.max(bytes.byteLength, 4)), 0, bytes.byteLength / 4);
  new Uint8Array(out.buffer, 0, bytes.byteLength).set(bytes);
  return out;
};
const rows = shared(`${encodedCache}.rows`);
const enc: EncodedRecords = { n: cached.n, sources: cached.sources, source: shared(`${encodedCache}.source`), dicts: cached.dicts, rows, givenPh: cached.givenPh, familyPh: cached.familyPh, words: { address: wordTable(cached.dicts.address), company: wordTable(cached.dicts.company) } };
delete (cached as { refs?: string[] }).refs;
global.gc?.();
const cpu0 = process.cpuUsage();
const rssBefore = process.memoryUsage().rss;
let rssPeak = rssBefore;
const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
const timings: Record<string, number> = {};
const t1 = performance.now();
const result = await matchRecords(enc, {
  linkThreshold: Number(process.env.LINK_THRESHOLD ?? 0.9),
  reviewThreshold: Math.min(0.5, Number(process.env.LINK_THRESHOLD ?? 0.9)),
  maxBlockSize: 1000,
  timings,
  ...(values.threads ? { threads: Number(values.threads) } : {}),
});
const tMatch = performance.now() - t1;
clearInterval(sampler);
rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
const cpu = process.cpuUsage(cpu0);

const predicted = new Map<string, string>();
refs.forEach((ref, i) => predicted.set(ref, String(result.clusterOf[i])));
const m = pairMetrics(predicted, readTruth(path.join(dir, 'truth.csv')));
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
console.log(`records ${enc.n.toLocaleString('en-US')}, candidate pairs ${result.candidatePairs.toLocaleString('en-US')}`);
console.log(`features ${s(tFeatures)}; ${Object.entries(timings).map(([k, v]) => `${k} ${s(v)}`).join(', ')}`);
const mb = (b: number): string => `${(b / 1048576).toFixed(0)} MB`;
console.log(`matching ${s(tMatch)} (features + matching ${s(tFeatures + tMatch)}; CPU ${s((cpu.user + cpu.system) / 1000)} over all threads)`);
console.log(`memory: ${mb(rssBefore)} with the records encoded, ${mb(rssPeak)} peak while matching (process peak ${mb(process.resourceUsage().maxRSS * 1024)}, including loading the input)`);
{
  const sizes = new Map<number, number>();
  for (const c of result.clusterOf) sizes.set(c, (sizes.get(c) ?? 0) + 1);
  const top = [...sizes.values()].sort((x, y) => y - x).slice(0, 8);
  console.log(`largest clusters: ${top.join(', ')}`);
}
console.log(`pairwise precision ${m.precision.toFixed(4)}, recall ${m.recall.toFixed(4)}, F1 ${m.f1.toFixed(4)}; clusters ${m.clusters}, entities ${m.entities}`);
if (process.env.SHOW_BLOCKING) for (const r of result.blocking) console.log(`  ${r.rule.padEnd(32)} blocks ${String(r.blocks).padStart(8)} comparisons ${String(r.comparisons).padStart(10)} oversized ${r.oversizedBlocks} (largest ${r.largestOversized ?? '-'})`);
if (process.env.SHOW_ERRORS) {
  // False links: linked pairs of records the truth says are different entities, with their evidence.
  const truth = readTruth(path.join(dir, 'truth.csv'));
  const ent = (i: number): string | undefined => truth.get(refs[i]!);
  const views = new RecordViews(enc);
  const [va, vb] = [views.view(), views.view()];
  let shown = 0;
  const kinds = new Map<string, number>();
  for (const p of result.pairs) {
    if (p.decision !== 'link' || ent(p.a) === ent(p.b)) continue;
    const ex = result.scorer.explain(va.fill(p.a), vb.fill(p.b));
    const sig = ex.fields.filter((f) => f.level !== 'missing').map((f) => `${f.field}:${f.level.split(' ')[0]}`).join(' ');
    kinds.set(sig, (kinds.get(sig) ?? 0) + 1);
    if (shown++ < Number(process.env.SHOW_ERRORS)) {
      const r = (x: MatchRecord): string => [x.given, x.family, x.dob, x.email, x.phone, x.address, x.postcode, x.company].join('|');
      console.log(`FP p=${p.probability.toFixed(3)} ${r(va.fill(p.a))}\n   ${r(vb.fill(p.b))}\n   ${ex.fields.filter((f) => f.level !== 'missing').map((f) => `${f.field}:${f.level.split(' ')[0]}:${f.weight}`).join(' ')}`);
    }
  }
  console.log('false links by pattern:');
  for (const [k, v] of [...kinds].sort((x, y) => y[1] - x[1]).slice(0, 15)) console.log(`  ${String(v).padStart(6)} ${k}`);
}
if (process.env.SHOW_MODEL) {
  console.log('lambda', result.model.lambda);
  for (const c of result.model.comparisons) console.log(c.name.padEnd(14), c.m.map((m, l) => `${c.levels[l]!.split(' ')[0]}:${m.toFixed(3)}/${c.u[l]!.toFixed(4)}=${Math.log2(m / c.u[l]!).toFixed(1)}`).join('  '));
}
