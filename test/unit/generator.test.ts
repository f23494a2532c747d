import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parsePhoneNumberFromString, type CountryCode as LibCountry } from 'libphonenumber-js/max';
import * as OpenCC from 'opencc-js';
import { pinyin } from 'pinyin-pro';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { CsvParser } from '../../src/connectors/csv/csv-parser.js';
import { NICKNAMES } from '../../src/generator/data/names.js';
import {
  generateCustomers,
  SOURCE_LAYOUTS,
  writeDataset,
  type DatasetSummary,
  type GeneratedRow,
  type GenerateOptions,
  type GenerateSummary,
  type SourceName,
} from '../../src/generator/index.js';

function collect(opts: GenerateOptions): { rows: GeneratedRow[]; summary: GenerateSummary } {
  const gen = generateCustomers(opts);
  const rows: GeneratedRow[] = [];
  for (;;) {
    const step = gen.next();
    if (step.done) return { rows, summary: step.value };
    rows.push(step.value);
  }
}

function parseCsv(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  const broken: number[] = [];
  const p = new CsvParser({ delimiter });
  p.push(text.replace(/^\uFEFF/, ''), (r) => rows.push(r.fields), (b) => broken.push(b.line));
  p.end((r) => rows.push(r.fields), (b) => broken.push(b.line));
  expect(broken).toEqual([]);
  return rows;
}

const HANZI = /^[\u3400-\u9fff]+$/;
const byEntity = (rows: readonly GeneratedRow[]): Map<string, GeneratedRow[]> => {
  const m = new Map<string, GeneratedRow[]>();
  for (const r of rows) (m.get(r.entity) ?? m.set(r.entity, []).get(r.entity)!).push(r);
  return m;
};
const col = (r: GeneratedRow, name: string): string => r.values[SOURCE_LAYOUTS[r.source].columns.indexOf(name)] ?? '';

describe('writeDataset', () => {
  let dirA: string;
  let dirB: string;
  let dirC: string;
  let summary: DatasetSummary;

  beforeAll(async () => {
    const base = mkdtempSync(path.join(os.tmpdir(), 'crm-etl-gen-'));
    dirA = path.join(base, 'a');
    dirB = path.join(base, 'b');
    dirC = path.join(base, 'c');
    summary = await writeDataset(dirA, { records: 3000, seed: 42 });
    await writeDataset(dirB, { records: 3000, seed: 42 });
    await writeDataset(dirC, { records: 3000, seed: 43 });
  });
  afterAll(() => rmSync(path.dirname(dirA), { recursive: true, force: true }));

  it('writes the same bytes for the same seed, other bytes for another seed', () => {
    for (const f of ['erp.csv', 'crm.csv', 'legacy.csv', 'truth.csv', 'config.yaml']) {
      expect(readFileSync(path.join(dirB, f)).equals(readFileSync(path.join(dirA, f))), f).toBe(true);
    }
    expect(readFileSync(path.join(dirC, 'erp.csv')).equals(readFileSync(path.join(dirA, 'erp.csv')))).toBe(false);
  });

  it('writes the requested number of rows, in each file format, with one truth line per row', () => {
    expect(summary.records).toBe(3000);
    expect(summary.rows.erp + summary.rows.crm + summary.rows.legacy).toBe(3000);
    const keys = new Set<string>();
    for (const source of ['erp', 'crm', 'legacy'] as const) {
      const layout = SOURCE_LAYOUTS[source];
      const raw = readFileSync(path.join(dirA, layout.file), 'utf8');
      expect(raw.startsWith('\uFEFF')).toBe(layout.bom);
      if (layout.eol === '\r\n') expect(raw.split('\r\n').length).toBeGreaterThan(summary.rows[source]);
      const rows = parseCsv(raw, layout.delimiter);
      expect(rows[0]).toEqual(layout.columns);
      const data = rows.slice(1);
      expect(data).toHaveLength(summary.rows[source]);
      for (const r of data) {
        expect(r).toHaveLength(layout.columns.length);
        const key = `${source}\u0000${(r[layout.keyIndex] ?? '').trim()}`;
        expect(keys.has(key), key).toBe(false);
        keys.add(key);
      }
      if (source === 'legacy') {
        // Padded to fixed widths: every line has the same length.
        const lengths = new Set(raw.split('\r\n').slice(1, -1).map((l) => l.length));
        expect(lengths.size).toBe(1);
      }
    }
    const truth = parseCsv(readFileSync(path.join(dirA, 'truth.csv'), 'utf8'), ',');
    expect(truth[0]).toEqual(['source', 'source_key', 'entity']);
    expect(truth.slice(1)).toHaveLength(3000);
    const truthKeys = new Set(truth.slice(1).map(([s, k]) => `${s}\u0000${k}`));
    expect(truthKeys).toEqual(keys);
    // Pairs of rows of one entity, counted from the truth file, match the summary.
    const sizes = new Map<string, number>();
    for (const [, , e] of truth.slice(1)) sizes.set(e!, (sizes.get(e!) ?? 0) + 1);
    let pairs = 0;
    for (const n of sizes.values()) pairs += (n * (n - 1)) / 2;
    expect(pairs).toBe(summary.truePairs);
    expect(sizes.size).toBe(summary.entities);
  });

  it('writes a config.yaml that follows the configuration contract', () => {
    const text = readFileSync(path.join(dirA, 'config.yaml'), 'utf8');
    const cfg = parseConfig(text, { file: 'config.yaml', env: {}, baseDir: dirA });
    expect(cfg.store).toBe('pglite://./.crm-etl/db');
    expect(cfg.sources.map((s) => s.name)).toEqual(['erp', 'crm', 'legacy']);
    for (const s of cfg.sources) {
      expect(s.kind).toBe('csv');
      if (s.kind === 'csv') expect(s.path).toBe(path.join(dirA, SOURCE_LAYOUTS[s.name as SourceName].file));
      const columns = SOURCE_LAYOUTS[s.name as SourceName].columns;
      for (const c of Object.values(s.mapping).flat()) expect(columns).toContain(c);
      expect(columns).toContain(s.key);
    }
    expect(parseConfig(text, { file: 'config.yaml', env: { DATABASE_URL: 'postgres://x@localhost/db' }, baseDir: dirA }).store).toBe('postgres://x@localhost/db');
  });
});

describe('generateCustomers', () => {
  let rows: GeneratedRow[];
  let summary: GenerateSummary;
  let entities: Map<string, GeneratedRow[]>;

  beforeAll(() => {
    ({ rows, summary } = collect({ records: 20_000, seed: 3 }));
    entities = byEntity(rows);
  });

  it('makes about 30 % of the entities appear 2–4 times, within and across sources', () => {
    const sizes = [...entities.values()].map((g) => g.length);
    const dup = sizes.filter((n) => n > 1).length / sizes.length;
    expect(dup).toBeGreaterThan(0.25);
    expect(dup).toBeLessThan(0.35);
    expect(Math.max(...sizes)).toBe(4);
    expect(summary.pairsWithinSource).toBeGreaterThan(0);
    expect(summary.pairsAcrossSources).toBeGreaterThan(summary.pairsWithinSource);
    expect(summary.companies / summary.entities).toBeGreaterThan(0.07);
    expect(summary.companies / summary.entities).toBeLessThan(0.13);
    for (const g of entities.values()) {
      expect(g.filter((r) => r.role === 'original')).toHaveLength(1);
    }
  });

  it('makes duplicates differ from their original in realistic, noted ways', () => {
    const kinds = new Set<string>();
    let sameSource = 0;
    let identical = 0;
    let nicknames = 0;
    for (const g of entities.values()) {
      const original = g.find((r) => r.role === 'original')!;
      for (const d of g) {
        if (d.role !== 'duplicate') continue;
        const varied = d.notes.filter((n) => !n.startsWith('hard:') && !n.startsWith('dirt:') && !n.startsWith('cut:'));
        for (const n of varied) kinds.add(n.split(':')[0]!);
        if (d.source === original.source) {
          sameSource++;
          // Compare what a matcher reads: everything except the key and the bookkeeping columns.
          const skip = new Set(['customer_no', 'Contact ID', 'CLT_ID', 'updated_at', 'Owner', 'Last Contact']);
          const cols = SOURCE_LAYOUTS[d.source].columns;
          if (cols.every((c, i) => skip.has(c) || d.values[i] === original.values[i])) identical++;
          const clean = d.notes.every((n) => n === 'nickname' || !/^(swapped-names|initial|typo:first_name|middle-name|accents)/.test(n));
          if (d.source === 'erp' && d.notes.includes('nickname') && clean && !HANZI.test(col(original, 'first_name'))) {
            const a = col(original, 'first_name').split(' ')[0]!;
            const b = col(d, 'first_name').split(' ')[0]!;
            expect(NICKNAMES.get(a)?.includes(b), `${a} → ${b}`).toBe(true);
            nicknames++;
          }
        }
      }
    }
    for (const k of ['typo', 'nickname', 'missing', 'moved', 'married', 'email', 'dob', 'phone', 'swapped-names', 'chinese', 'company', 'initial', 'postcode']) {
      expect(kinds, k).toContain(k);
    }
    expect(sameSource).toBeGreaterThan(200);
    expect(identical / sameSource).toBeLessThan(0.05);
    expect(nicknames).toBeGreaterThan(0);
  });

  it('plants hard negatives: twins, spouses, father and son, namesakes born the same year', () => {
    expect(Object.keys(summary.hardNegatives).sort()).toEqual(['father', 'namesake', 'son', 'spouse', 'twin']);
    const firstOf = (id: string): GeneratedRow | undefined => entities.get(id)?.find((r) => r.role === 'original');
    let twins = 0;
    let sons = 0;
    for (const g of entities.values()) {
      const r = g.find((x) => x.role === 'original')!;
      const tag = r.notes.find((n) => n.startsWith('hard:twin-of:') || n.startsWith('hard:son-of:'));
      if (!tag) continue;
      const other = firstOf(tag.slice(tag.lastIndexOf(':') + 1));
      if (!other || other.source !== 'erp' || r.source !== 'erp' || r.notes.length > 1 || other.notes.length > 1) continue;
      // Both written in the same script (the ERP writes some Chinese names in characters).
      if (HANZI.test(col(r, 'last_name')) !== HANZI.test(col(other, 'last_name'))) continue;
      if (tag.includes('twin')) {
        expect(col(r, 'last_name')).toBe(col(other, 'last_name'));
        expect(col(r, 'first_name')).not.toBe(col(other, 'first_name'));
        if (!col(r, 'date_of_birth').startsWith('19')) continue;
        expect(col(r, 'date_of_birth')).toBe(col(other, 'date_of_birth'));
        twins++;
      } else {
        expect(col(r, 'first_name').split(' ')[0]).toBe(col(other, 'first_name').split(' ')[0]);
        expect(col(r, 'date_of_birth')).not.toBe(col(other, 'date_of_birth'));
        sons++;
      }
    }
    expect(twins + sons).toBeGreaterThan(0);
  });

  it('writes Chinese names in simplified characters, traditional characters and pinyin', () => {
    const s2t = OpenCC.Converter({ from: 'cn', to: 'hk' });
    let simplifiedTraditional = 0;
    let traditionalAgrees = 0;
    let hanziPinyin = 0;
    let pinyinAgrees = 0;
    let allThree = 0;
    for (const g of entities.values()) {
      const erp = g.find((r) => r.source === 'erp' && HANZI.test(col(r, 'last_name')) && HANZI.test(col(r, 'first_name')));
      if (!erp) continue;
      const simplified = col(erp, 'last_name') + col(erp, 'first_name');
      const crm = g.find((r) => r.source === 'crm' && HANZI.test(col(r, 'Name')));
      const legacy = g.find((r) => r.source === 'legacy' && /^[A-Z]+$/.test(col(r, 'SURNAME')) && r.notes.every((n) => !n.startsWith('typo') && n !== 'swapped-names'));
      if (crm && crm.notes.every((n) => !n.startsWith('married'))) {
        simplifiedTraditional++;
        if (s2t(simplified) === col(crm, 'Name')) traditionalAgrees++;
      }
      if (legacy) {
        hanziPinyin++;
        const py = pinyin(col(erp, 'last_name'), { surname: 'all', toneType: 'none', type: 'array' }).join('').toUpperCase();
        if (py === col(legacy, 'SURNAME') || (py === 'LV' && col(legacy, 'SURNAME') === 'LU')) pinyinAgrees++;
      }
      if (crm && legacy) allThree++;
    }
    expect(simplifiedTraditional).toBeGreaterThan(20);
    expect(traditionalAgrees / simplifiedTraditional).toBeGreaterThan(0.85);
    expect(hanziPinyin).toBeGreaterThan(10);
    expect(pinyinAgrees / hanziPinyin).toBeGreaterThan(0.95);
    expect(allThree).toBeGreaterThan(0);
    // Pinyin in the sales sheet, family name first in capitals ("ZHANG Wei").
    expect(rows.some((r) => r.source === 'crm' && /^(WANG|LI|ZHANG|LIU|CHEN) [A-Z][a-z]+$/.test(col(r, 'Name')))).toBe(true);
  });

  it('draws names with Zipf-like frequencies: common surnames form large blocks', () => {
    const counts = new Map<string, number>();
    let n = 0;
    for (const r of rows) {
      if (r.source !== 'erp') continue;
      const f = col(r, 'last_name');
      if (!f) continue;
      n++;
      counts.set(f, (counts.get(f) ?? 0) + 1);
    }
    const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    expect(ranked.slice(0, 5).map(([f]) => f)).toEqual(expect.arrayContaining(['Smith']));
    expect(ranked[0]![1] / n).toBeGreaterThan(0.01);
    expect(counts.size).toBeGreaterThan(1500);
  });

  it('writes phone numbers valid for their country, except planted dirt', () => {
    const COUNTRY: Record<string, LibCountry> = {
      australia: 'AU', au: 'AU', 'united kingdom': 'GB', uk: 'GB', england: 'GB', gb: 'GB', usa: 'US', 'united states': 'US', us: 'US',
      china: 'CN', 中国: 'CN', prc: 'CN', cn: 'CN', taiwan: 'TW', 台灣: 'TW', tw: 'TW', 'hong kong': 'HK', 香港: 'HK', hk: 'HK',
      germany: 'DE', deutschland: 'DE', de: 'DE',
    };
    let checked = 0;
    let valid = 0;
    const bad: string[] = [];
    for (const r of rows) {
      if (r.notes.includes('dirt:phone-placeholder')) continue;
      const phone = col(r, r.source === 'erp' ? 'phone' : r.source === 'crm' ? 'Tel' : 'PHONE');
      if (!phone) continue;
      const countryText = r.source === 'erp' ? col(r, 'country') : r.source === 'crm' ? col(r, 'Country') : '';
      const cc = COUNTRY[countryText.toLowerCase()] ?? 'AU';
      checked++;
      if (parsePhoneNumberFromString(phone, cc)?.isValid()) valid++;
      else if (bad.length < 5) bad.push(`${r.source} ${phone} ${cc}`);
    }
    expect(checked).toBeGreaterThan(15_000);
    expect(valid / checked, bad.join('; ')).toBeGreaterThan(0.995);
  });

  it('plants dirty values at a low rate', () => {
    const dirty = rows.filter((r) => r.notes.some((n) => n.startsWith('dirt:'))).length / rows.length;
    expect(dirty).toBeGreaterThan(0.005);
    expect(dirty).toBeLessThan(0.03);
    const emails = rows.map((r) => col(r, r.source === 'erp' ? 'email' : r.source === 'crm' ? 'E-Mail' : 'EMAIL')).filter(Boolean);
    const wellFormed = emails.filter((e) => /^[^@\s,]+@[^@\s,]+\.[a-z]{2,}$/i.test(e)).length / emails.length;
    expect(wellFormed).toBeGreaterThan(0.98);
    expect(wellFormed).toBeLessThan(1);
  });

  it('is deterministic for a seed and honours the options', () => {
    const a = collect({ records: 500, seed: 9 }).rows;
    const b = collect({ records: 500, seed: 9 }).rows;
    expect(b).toEqual(a);
    const only = collect({ records: 400, seed: 9, sources: ['legacy'], duplicateRate: 0 });
    expect(only.rows.every((r) => r.source === 'legacy' && r.role === 'original')).toBe(true);
    expect(only.summary.truePairs).toBe(0);
    expect(only.rows).toHaveLength(400);
  });

  it('generates 1,000 records quickly', () => {
    const t0 = performance.now();
    const { rows: few } = collect({ records: 1000, seed: 77 });
    const ms = performance.now() - t0;
    expect(few).toHaveLength(1000);
    expect(ms).toBeLessThan(1000);
  });
});
