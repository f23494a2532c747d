// Reads a large CSV through the csv connector and prints records/s and peak RSS.
//   npx tsx bench/csv-memory.ts FILE
import { parseConfig } from '../src/config/load-config.js';
import { createConnector } from '../src/connectors/registry.js';

const file = process.argv[2];
if (!file) throw new Error('usage: bench/csv-memory.ts FILE');
const cfg = parseConfig(`sources:\n  - {name: big, kind: csv, path: ${JSON.stringify(file)}, key: id, mapping: {email: email}}\n`, { file: 'bench.yaml' });
let peak = 0;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
const t0 = Date.now();
let n = 0;
let bad = 0;
for await (const b of createConnector(cfg.sources[0]!).read()) {
  n += b.records.length;
  bad += b.malformed.length;
}
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage().rss);
const s = (Date.now() - t0) / 1000;
console.log(`${n} records (${bad} malformed) in ${s.toFixed(1)} s: ${Math.round(n / s)} records/s, peak RSS ${Math.round(peak / 2 ** 20)} MB`);
