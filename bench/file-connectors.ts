/**
 * Throughput and memory of the file connectors.
 *
 *   npx tsx bench/file-connectors.ts [--rows 1000000] [--xlsx-rows 1000000] [--only csv|csv-gbk|xlsx]
 *                                    [--dir DIR] [--keep]
 *
 * Generates a CSV (UTF-8, 15 columns), the same rows as GBK with no encoding option (detection
 * on, decoding through iconv-lite) and an xlsx written the way Excel writes one (shared
 * strings, styles, date formats); then reads each through its connector in a child process of
 * its own and prints records/s, records per CPU-second (steadier on a shared machine) and the
 * child's peak RSS (getrusage maxrss, so every allocation counts, the tsx loader's included).
 * Targets: ≥ 100,000 records/s and < 300 MB peak.
 * Files go to DIR (default: the OS temp folder) and are reused with --keep.
 */
import { fork } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import type { CsvSourceConfig } from '../src/config/schema.js';
import type { XlsxSourceConfig } from '../src/config/sources/xlsx.js';
import type { SourceConnector } from '../src/connectors/connector.js';
import { CsvSource } from '../src/connectors/csv/csv-source.js';
import { XlsxSource } from '../src/connectors/xlsx/xlsx-source.js';

const HEADER = [
  'customer_id', 'given_name', 'family_name', 'email', 'phone', 'birth_date', 'gender', 'street',
  'city', 'postal_code', 'country', 'company', 'created_at', 'notes', 'score',
];
const GIVEN = ['Anna', 'Ben', 'Chloé', 'David', 'Emma', 'François', 'Greta', 'Hugo', 'Ines', 'Jürgen', '伟', '芳', '娜', 'Yuki', 'Zoë'];
const FAMILY = ['Müller', 'Smith', 'García', 'Nguyễn', 'Rossi', 'Dubois', '王', '李', '张', 'Sato', 'Kowalski', 'Johansson'];
const CITIES = ['Berlin', 'München', 'Paris', 'Lyon', 'Madrid', 'Milano', '北京', '上海', 'Tokyo', 'Kraków', 'Oslo', 'Zürich'];
const STREETS = ['Hauptstraße', 'Rue de la Paix', 'Calle Mayor', 'Via Roma', '建国路', 'Main Street', 'Königsallee'];
const COMPANIES = ['', '', 'Acme GmbH', 'Globex SA', '华联贸易有限公司', 'Initech Ltd', 'Umbrella KK'];

/** Row i of the synthetic customer table, as strings (dates as text) and as typed cells. */
function row(i: number): { text: string[]; cells: ExcelJS.CellValue[] } {
  const g = GIVEN[i % GIVEN.length]!;
  const f = FAMILY[(i * 7) % FAMILY.length]!;
  const born = new Date(Date.UTC(1940 + (i % 60), i % 12, 1 + (i % 28)));
  const created = new Date(Date.UTC(2015 + (i % 10), (i * 5) % 12, 1 + (i % 27), i % 24, (i * 13) % 60));
  const id = `C${String(i).padStart(8, '0')}`;
  const phone = `+49 30 ${String(1000000 + ((i * 7919) % 9000000))}`;
  const email = `${id.toLowerCase()}@example.com`;
  const street = `${STREETS[i % STREETS.length]} ${1 + (i % 200)}`;
  const city = CITIES[(i * 3) % CITIES.length]!;
  const postal = String(10000 + ((i * 31) % 89999));
  const company = COMPANIES[i % COMPANIES.length]!;
  const notes = i % 10 === 0 ? 'VIP, prefers "email"' : '';
  const score = (i % 1000) / 10;
  const iso = (d: Date): string => d.toISOString().slice(0, 10);
  return {
    text: [id, g, f, email, phone, iso(born), i % 2 ? 'F' : 'M', street, city, postal, 'DE', company, created.toISOString().slice(0, 19), notes, String(score)],
    cells: [id, g, f, email, phone, born, i % 2 ? 'F' : 'M', street, city, postal, 'DE', company || null, created, notes || null, score],
  };
}

function csvLine(fields: readonly string[]): string {
  return fields.map((v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',');
}

async function writeCsv(file: string, rows: number, encoding: string): Promise<void> {
  const out = createWriteStream(file);
  const write = (s: string): Promise<void> | void => {
    if (!out.write(encoding === 'utf-8' ? s : iconv.encode(s, encoding))) return new Promise((r) => out.once('drain', () => r()));
  };
  let buf = csvLine(HEADER) + '\n';
  for (let i = 1; i <= rows; i++) {
    buf += csvLine(row(i).text) + '\n';
    if (buf.length > 1 << 20) {
      await write(buf);
      buf = '';
    }
  }
  await write(buf);
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

async function writeXlsx(file: string, rows: number): Promise<void> {
  // Loaded here, not at the top: the reading child would carry exceljs in its peak RSS.
  const { default: Excel } = await import('exceljs');
  // Shared strings and styles on: the layout Excel itself writes.
  const wb = new Excel.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true, useStyles: true });
  const ws = wb.addWorksheet('customers');
  ws.getColumn(6).numFmt = 'yyyy-mm-dd';
  ws.getColumn(13).numFmt = 'yyyy-mm-dd hh:mm';
  ws.addRow(HEADER).commit();
  for (let i = 1; i <= rows; i++) ws.addRow(row(i).cells).commit();
  ws.commit();
  await wb.commit();
}

async function ensure(file: string, keep: boolean, make: () => Promise<void>): Promise<number> {
  if (keep) {
    const s = await stat(file).catch(() => undefined);
    if (s) return 0;
  }
  const t0 = performance.now();
  await make();
  return (performance.now() - t0) / 1000;
}

interface Measured {
  records: number;
  malformed: number;
  seconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  baseRssMb: number;
  detail: string;
}

/** Child process: read one file through its connector and report. */
async function measure(kind: string, file: string): Promise<Measured> {
  const base = { name: 'bench', key: 'customer_id', mapping: {}, unique: false, max_failure_rate: 0.1 };
  let connector: SourceConnector;
  let detail = () => '';
  if (kind === 'xlsx') {
    const x = new XlsxSource({ ...base, kind: 'xlsx', path: file } as XlsxSourceConfig);
    connector = x;
    detail = () => `sheet ${x.layout?.sheet}, header row ${x.layout?.headerRow}`;
  } else {
    const c = new CsvSource({ ...base, kind: 'csv', path: file, quote: '"' } as CsvSourceConfig);
    connector = c;
    detail = () => `encoding ${c.detected?.encoding} (${c.detected?.source}, confidence ${c.detected?.confidence})`;
  }
  const baseRssMb = process.memoryUsage().rss / 2 ** 20;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let records = 0;
  let malformed = 0;
  for await (const b of connector.read({ batchSize: 5000 })) {
    records += b.records.length;
    malformed += b.malformed.length;
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { records, malformed, seconds, cpuSeconds, peakRssMb: process.resourceUsage().maxRSS / 1024, baseRssMb, detail: detail() };
}

function runChild(kind: string, file: string): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child', kind, file], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m) => resolve(m as Measured));
    child.once('error', reject);
    child.once('exit', (code) => (code ? reject(new Error(`${kind} reader exited with ${code}`)) : undefined));
  });
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    const m = await measure(process.argv[3]!, process.argv[4]!);
    process.send!(m, () => process.exit(0));
    return;
  }
  const rows = Number(arg('--rows') ?? 1_000_000);
  const xlsxRows = Number(arg('--xlsx-rows') ?? rows);
  const only = arg('--only');
  const keep = process.argv.includes('--keep');
  const dir = arg('--dir') ?? path.join(tmpdir(), 'crm-etl-bench-files');
  await mkdir(dir, { recursive: true });

  const jobs = [
    { kind: 'csv', label: 'csv utf-8', file: path.join(dir, `customers-${rows}.csv`), rows, make: (f: string) => writeCsv(f, rows, 'utf-8') },
    { kind: 'csv-gbk', label: 'csv gbk (detected)', file: path.join(dir, `customers-${rows}-gbk.csv`), rows, make: (f: string) => writeCsv(f, rows, 'gbk') },
    { kind: 'xlsx', label: 'xlsx', file: path.join(dir, `customers-${xlsxRows}.xlsx`), rows: xlsxRows, make: (f: string) => writeXlsx(f, xlsxRows) },
  ].filter((j) => !only || j.kind === only);

  console.log(`node ${process.version}; files in ${dir}`);
  for (const j of jobs) {
    const made = await ensure(j.file, keep, () => j.make(j.file));
    const size = (await stat(j.file)).size / 2 ** 20;
    if (made) console.log(`  generated ${j.label}: ${j.rows.toLocaleString('en-US')} rows, ${size.toFixed(0)} MiB in ${made.toFixed(1)} s`);
    const m = await runChild(j.kind === 'xlsx' ? 'xlsx' : 'csv', j.file);
    if (m.records !== j.rows) throw new Error(`${j.label}: read ${m.records} records, expected ${j.rows} (${m.malformed} malformed)`);
    const rate = m.records / m.seconds;
    const ok = rate >= 100_000 && m.peakRssMb < 300 ? 'ok' : 'BELOW TARGET';
    console.log(
      `${j.label.padEnd(20)} ${m.records.toLocaleString('en-US').padStart(10)} records in ${m.seconds.toFixed(2).padStart(6)} s = ` +
        `${Math.round(rate).toLocaleString('en-US').padStart(8)} records/s (${Math.round(m.records / m.cpuSeconds).toLocaleString('en-US')} per CPU-second); ` +
        `peak RSS ${m.peakRssMb.toFixed(0)} MB (${m.baseRssMb.toFixed(0)} MB before reading); ${m.detail}  [${ok}]`,
    );
    if (!keep) await rm(j.file, { force: true });
  }
}

await main();
