// Scratch: match a FEBRL-style file directly (no standardize) to iterate on the matching engine.
import { readFileSync } from 'node:fs';
import { CsvParser } from '../src/connectors/csv/csv-parser.js';
import { matchRecords, toMatchRecord } from '../src/transforms/match/index.js';

const files = process.argv.slice(2);
const recs: { src: string; key: string; f: Record<string, string> }[] = [];
for (const [fi, file] of files.entries()) {
  const p = new CsvParser({ delimiter: ',' });
  let header: string[] | undefined;
  const rows: string[][] = [];
  p.push(readFileSync(file, 'utf8'), (r) => (header ? rows.push(r.fields.map((x) => x.trim())) : (header = r.fields.map((x) => x.trim()))), () => {});
  p.end((r) => rows.push(r.fields.map((x) => x.trim())), () => {});
  for (const r of rows) {
    const f: Record<string, string> = {};
    header!.forEach((h, i) => (f[h] = r[i] ?? ''));
    recs.push({ src: `s${fi}`, key: f.rec_id!, f });
  }
}
const t0 = Date.now();
const mr = recs.map((r) =>
  toMatchRecord(r.src, r.key, {
    given_name: r.f.given_name,
    family_name: r.f.surname,
    address_line1: [r.f.street_number, r.f.address_1].filter(Boolean).join(' '),
    address_line2: r.f.address_2,
    city: r.f.suburb,
    postal_code: r.f.postcode,
    region: r.f.state,
    birth_date: r.f.date_of_birth,
    national_id: r.f.soc_sec_id,
    phone: r.f.phone_number,
  }),
);
const res = matchRecords(mr, { linkThreshold: 0.9, reviewThreshold: 0.5, maxBlockSize: 1000 });
const entity = (k: string) => (k.startsWith('rec-') ? k.split('-')[1]! : k.slice(0, -1));
const clusters = new Map<number, number[]>();
res.clusterOf.forEach((c, i) => (clusters.get(c) ?? clusters.set(c, []).get(c)!).push(i));
let pred = 0, tp = 0;
for (const g of clusters.values()) for (let x = 0; x < g.length; x++) for (let y = x + 1; y < g.length; y++) { pred++; if (entity(recs[g[x]!]!.key) === entity(recs[g[y]!]!.key)) tp++; }
const ent = new Map<string, number>();
for (const r of recs) ent.set(entity(r.key), (ent.get(entity(r.key)) ?? 0) + 1);
let truth = 0; for (const c of ent.values()) truth += (c * (c - 1)) / 2;
const P = tp / pred, R = tp / truth;
console.log({ n: recs.length, cand: res.candidatePairs, pred, truth, tp, P: P.toFixed(4), R: R.toFixed(4), F1: ((2 * P * R) / (P + R)).toFixed(4), lambda: res.model.lambda.toFixed(4), it: res.model.iterations, ms: Date.now() - t0, refused: res.refusedMerges });
if (process.env.SHOW_MODEL) for (const c of res.model.comparisons) console.log(c.name, c.m.map((m, l) => `${c.levels[l]!.slice(0, 10)}:${Math.log2(m / c.u[l]!).toFixed(1)}`).join(' '));
if (process.env.SHOW_ERR) {
  // false negatives
  const byEnt = new Map<string, number[]>(); recs.forEach((r, i) => (byEnt.get(entity(r.key)) ?? byEnt.set(entity(r.key), []).get(entity(r.key))!).push(i));
  let shown = 0;
  for (const g of byEnt.values()) for (let x = 0; x < g.length; x++) for (let y = x + 1; y < g.length; y++) {
    const i = g[x]!, j = g[y]!;
    if (res.clusterOf[i] !== res.clusterOf[j] && shown++ < 8) console.log('FN', JSON.stringify(mr[i]), '\n  ', JSON.stringify(mr[j]), res.scorer.explain(mr[i]!, mr[j]!).probability.toFixed(3));
  }
  shown = 0;
  for (const g of clusters.values()) for (let x = 0; x < g.length; x++) for (let y = x + 1; y < g.length; y++) {
    const i = g[x]!, j = g[y]!;
    if (entity(recs[i]!.key) !== entity(recs[j]!.key) && shown++ < 8) console.log('FP', JSON.stringify(mr[i]), '\n  ', JSON.stringify(mr[j]), res.scorer.explain(mr[i]!, mr[j]!).probability.toFixed(3));
  }
}
