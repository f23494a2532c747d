/**
 * Pairwise precision, recall and F1 of the default pipeline on the labelled data sets in
 * ../shared/datasets (or DATASETS_DIR). Each data set is described only by what a user would
 * write: a configuration (sources and mappings) and where its ground truth lives. The matching
 * settings are the defaults for all of them.
 *
 *   npm run eval                 # all data sets
 *   npm run eval -- febrl1 restaurants
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../src/config/load-config.js';
import { createConnector } from '../src/connectors/registry.js';
import { createLogger } from '../src/core/logger.js';
import { pairMetrics } from '../src/eval/pair-metrics.js';
import { runPipeline } from '../src/pipeline/run-pipeline.js';
import { openStore } from '../src/store/open-store.js';
import { matchRecords, toMatchRecord } from '../src/transforms/match/index.js';
import type { CanonicalValues } from '../src/core/fields.js';

const DIR = process.env.DATASETS_DIR ?? path.resolve(import.meta.dirname, '../../shared/datasets');

interface DatasetSpec {
  /** Configuration sources, as YAML. `$D` is the data-set folder. */
  sources: string;
  /** The entity of a record, from its source columns. */
  entity: (fields: Record<string, string>) => string;
}

const febrlPerson = (name: string, file: string, extra = '') => `
  - name: ${name}
    kind: csv
    path: $D/${file}
    key: rec_id
    country: AU
    mapping:
      given_name: given_name
      family_name: surname
      address_line1: [street_number, address_1]
      address_line2: address_2
      city: suburb
      postal_code: postcode
      region: state
      birth_date: date_of_birth
      national_id: soc_sec_id${extra}`;

const febrlEntity = (f: Record<string, string>): string => /^rec-(\d+)-/.exec(f.rec_id ?? '')?.[1] ?? f.rec_id!;

const DATASETS: Record<string, DatasetSpec> = {
  febrl1: { sources: febrlPerson('febrl1', 'febrl1/dataset1.csv'), entity: febrlEntity },
  febrl2: { sources: febrlPerson('febrl2', 'febrl2/dataset2.csv'), entity: febrlEntity },
  ...Object.fromEntries(
    ['5000', '10000'].map((x) => [
      `febrl-link-${x}`,
      {
        sources:
          febrlPerson('org', `febrl-link/dataset_D_org_${x}.csv`, '\n      phone: phone_number') +
          febrlPerson('dup', `febrl-link/dataset_D_dup_${x}.csv`, '\n      phone: phone_number'),
        entity: (f: Record<string, string>) => (f.rec_id ?? '').slice(0, -1),
      },
    ]),
  ),
  'splink-fake-1000': {
    sources: `
  - name: people
    kind: csv
    path: $D/splink-fake-1000/fake_1000.csv
    key: unique_id
    country: GB
    mapping:
      given_name: first_name
      family_name: surname
      birth_date: dob
      city: city
      email: email`,
    entity: (f) => f.cluster!,
  },
  restaurants: {
    sources: `
  - name: guides
    kind: csv
    path: $D/restaurants/restaurant.csv
    key: [name, addr, city, phone, type]
    country: US
    mapping:
      company_name: name
      address_line1: addr
      city: city
      phone: phone`,
    entity: (f) => (f.class ?? '').replace(/'/g, ''),
  },
  'dedupe-orgs': {
    sources: `
  - name: sites
    kind: csv
    path: $D/dedupe-orgs/csv_example_input_with_true_ids.csv
    key: Id
    country: US
    mapping:
      company_name: Site name
      address_line1: Address
      postal_code: Zip
      phone: Phone`,
    entity: (f) => f['True Id']!,
  },
};

/** Prints some false positive and false negative pairs with their staged values (for tuning). */
async function showErrors(store: Awaited<ReturnType<typeof openStore>>, predicted: Map<string, string>, truth: Map<string, string>, max: number): Promise<void> {
  const rows = (await store.knex('source_records').select('*')) as Record<string, unknown>[];
  const byKey = new Map(rows.map((r) => [`${r.source}\u0000${r.source_key}`, r]));
  const mrs = rows.map((r) => toMatchRecord(String(r.source), String(r.source_key), r as CanonicalValues));
  const res = await matchRecords(mrs, { linkThreshold: 0.9, reviewThreshold: 0.5, maxBlockSize: 1000 });
  const idx = new Map(rows.map((r, i) => [`${r.source}\u0000${r.source_key}`, i]));
  const why = (a: string, b: string): string => {
    const e = res.scorer.explain(mrs[idx.get(a)!]!, mrs[idx.get(b)!]!);
    return `p=${e.probability.toFixed(3)} ` + e.fields.filter((f) => f.level !== 'missing').map((f) => `${f.field}:${f.level.split(' ')[0]}:${f.weight.toFixed(1)}`).join(' ');
  };
  if (process.env.SHOW_MODEL) {
    console.log('lambda', res.model.lambda);
    for (const c of res.model.comparisons) console.log(c.name, c.m.map((m, l) => `${c.levels[l]!.split(' ')[0]}:${m.toFixed(3)}/${c.u[l]!.toFixed(4)}=${Math.log2(m / c.u[l]!).toFixed(1)}`).join(' '));
  }
  const show = (k: string): string =>
    JSON.stringify(Object.fromEntries(Object.entries(byKey.get(k) ?? {}).filter(([c, v]) => v != null && !['run_id', 'location', 'line', 'extra', 'record_hash', 'deleted', 'source'].includes(c))));
  const keys = [...truth.keys()].filter((k) => predicted.has(k));
  let fp = 0;
  let fn = 0;
  const byCluster = new Map<string, string[]>();
  for (const k of keys) (byCluster.get(predicted.get(k)!) ?? byCluster.set(predicted.get(k)!, []).get(predicted.get(k)!)!).push(k);
  for (const g of byCluster.values()) {
    for (let i = 0; i < g.length && fp < max; i++) for (let j = i + 1; j < g.length && fp < max; j++) if (truth.get(g[i]!) !== truth.get(g[j]!)) { fp++; console.log('FP', show(g[i]!), '\n  ', show(g[j]!), '\n  ', why(g[i]!, g[j]!)); }
  }
  const byEntity = new Map<string, string[]>();
  for (const k of keys) (byEntity.get(truth.get(k)!) ?? byEntity.set(truth.get(k)!, []).get(truth.get(k)!)!).push(k);
  for (const g of byEntity.values()) {
    for (let i = 0; i < g.length && fn < max; i++) for (let j = i + 1; j < g.length && fn < max; j++) if (predicted.get(g[i]!) !== predicted.get(g[j]!)) { fn++; console.log('FN', show(g[i]!), '\n  ', show(g[j]!), '\n  ', why(g[i]!, g[j]!)); }
  }
}

async function evalDataset(name: string, spec: DatasetSpec): Promise<void> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'crm-etl-eval-'));
  try {
    const extra = process.env.EVAL_MATCHING ? `matching: ${process.env.EVAL_MATCHING}\n` : "";
    const yaml = `store: pglite://${tmp}/db\n${extra}sources:${spec.sources.replaceAll("$D", DIR)}\n`;
    const config = parseConfig(yaml, { file: `${name}.yaml` });
    const truth = new Map<string, string>();
    for (const s of config.sources) {
      for await (const b of createConnector(s).read()) for (const r of b.records) truth.set(`${s.name}\u0000${r.key}`, spec.entity(r.fields));
    }
    const store = await openStore(config.store);
    try {
      await store.migrate();
      const t0 = Date.now();
      const summary = await runPipeline({ config, store, log: createLogger('warn') });
      const seconds = (Date.now() - t0) / 1000;
      const predicted = new Map<string, string>();
      for (const r of (await store.knex('customer_links').select('source', 'source_key', 'customer_id')) as Record<string, string>[]) {
        predicted.set(`${r.source}\u0000${r.source_key}`, r.customer_id!);
      }
      const m = pairMetrics(predicted, truth);
      if (process.env.SHOW_ERRORS) await showErrors(store, predicted, truth, Number(process.env.SHOW_ERRORS) || 10);
      console.log(
        [name.padEnd(18), `records ${String(m.records).padStart(6)}`, `P ${m.precision.toFixed(4)}`, `R ${m.recall.toFixed(4)}`, `F1 ${m.f1.toFixed(4)}`,
          `pairs ${m.truePositives}/${m.predictedPairs} pred, ${m.truePairs} true`, `candidates ${summary.matching.candidatePairs}`, `refused ${summary.matching.refusedMerges}`, `${seconds.toFixed(1)} s`].join('  '),
      );
    } finally {
      await store.close();
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const name of wanted.length ? wanted : Object.keys(DATASETS)) {
  const spec = DATASETS[name];
  if (!spec) {
    console.error(`unknown data set ${name}; known: ${Object.keys(DATASETS).join(', ')}`);
    process.exitCode = 2;
    continue;
  }
  await evalDataset(name, spec);
}
