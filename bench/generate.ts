/**
 * Writes a synthetic multi-source customer data set and reports its size and speed.
 *
 *   npx tsx bench/generate.ts --records 1000000 --out /tmp/gen-1m [--seed 1] [--dup-rate 0.3] [--notes]
 *
 * Then, from the output folder (the store path in its config.yaml is relative to the working directory):
 *   crm-etl run -c config.yaml && crm-etl eval --truth truth.csv -c config.yaml
 */
import { parseArgs } from 'node:util';
import { writeDataset } from '../src/generator/index.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '100000' },
    out: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'dup-rate': { type: 'string' },
    notes: { type: 'boolean', default: false },
  },
});
if (!values.out) {
  process.stderr.write('usage: npx tsx bench/generate.ts --records N --out DIR [--seed S] [--dup-rate R] [--notes]\n');
  process.exit(2);
}
const records = Number(values.records?.replace(/[_,]/g, ''));
const seed = Number(values.seed);
if (!Number.isInteger(records) || records <= 0 || !Number.isInteger(seed)) {
  process.stderr.write('--records must be a positive integer and --seed an integer\n');
  process.exit(2);
}

const t0 = process.hrtime.bigint();
const s = await writeDataset(values.out, {
  records,
  seed,
  notes: values.notes ?? false,
  ...(values['dup-rate'] !== undefined ? { duplicateRate: Number(values['dup-rate']) } : {}),
});
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;

const n = (x: number): string => x.toLocaleString('en-US');
const mb = (b: number): string => (b / 1e6).toFixed(1);
const out: string[] = [];
out.push(`wrote ${n(s.records)} records to ${s.dir} in ${seconds.toFixed(2)} s (${n(Math.round(s.records / seconds))} rows/s), ${mb(s.bytes)} MB`);
for (const f of s.files) out.push(`  ${f.file.padEnd(12)} ${f.rows ? `${n(f.rows).padStart(11)} rows` : ''.padStart(16)} ${mb(f.bytes).padStart(9)} MB`);
out.push(`entities ${n(s.entities)} (${n(s.people)} people, ${n(s.companies)} companies), ${n(s.duplicatedEntities)} appear 2–4 times`);
out.push(`true pairs ${n(s.truePairs)} (${n(s.pairsAcrossSources)} across sources, ${n(s.pairsWithinSource)} within one)`);
out.push(`hard negatives: ${Object.entries(s.hardNegatives).map(([k, v]) => `${k} ${n(v)}`).join(', ')}`);
const top = Object.entries(s.variations).sort((a, b) => b[1] - a[1]);
out.push(`variations (rows): ${top.map(([k, v]) => `${k} ${n(v)}`).join(', ')}`);
out.push(`dirty values (rows): ${Object.entries(s.dirt).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${n(v)}`).join(', ')}`);
out.push(`peak RSS ${mb(process.resourceUsage().maxRSS * 1024)} MB`);
process.stdout.write(out.join('\n') + '\n');
