/**
 * Reads a million records through the fixed-width (EBCDIC cp037, packed and zoned fields,
 * record-type filtering) and the XML connectors and prints records/s and the read's peak RSS:
 *
 *   npx tsx bench/legacy-connectors.ts [records] [--keep]
 *
 * Targets: ≥ 100,000 records/s and < 300 MB peak RSS per connector. The files are generated in
 * the system temp folder (about 130 MB and 560 MB for a million records) and removed afterwards
 * unless --keep. Each read runs in a child process, so its peak RSS is the read's alone.
 */
import { fork } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../src/config/load-config.js';
import { singleByteCodec } from '../src/connectors/fixed-width/single-byte.js';
import { createConnector } from '../src/connectors/registry.js';
import {
  MASTER_LAYOUT,
  MASTER_RECORD_LENGTH,
  customerRecord,
  makeCustomer,
  makeXmlCustomer,
  mulberry32,
  noteRecord,
  xmlCustomer,
} from '../fixtures/legacy/make-fixtures.js';

const args = process.argv.slice(2);
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const DIR = path.join(tmpdir(), 'crm-etl-bench-legacy');
const FW_FILE = path.join(DIR, 'master-cp037.dat');
const XML_FILE = path.join(DIR, 'customers.xml');
const TEMPLATES = 1000;
/** One note record every NOTE_EVERY customers: read and skipped by the record-type filter. */
const NOTE_EVERY = 10;

const SOURCES = `
sources:
  - name: bench-fw
    kind: fixed-width
    path: ${FW_FILE}
    encoding: cp037
    record_length: ${MASTER_RECORD_LENGTH}
    record_type: { start: 1, length: 1, value: "C" }
    key: cust_no
    mapping: { family_name: family_name }
    layout: ${JSON.stringify(MASTER_LAYOUT)}
  - name: bench-xml
    kind: xml
    path: ${XML_FILE}
    record_path: export/customers/customer
    key: "@id"
    mapping: { given_name: "name[1].first", phone: "phones.phone[1]" }
`;

/** Writes what `produce` yields in 4 MB chunks, waiting for the disk when the stream is full. */
async function writeChunks(file: string, produce: () => Iterable<Buffer | string>): Promise<void> {
  const out = createWriteStream(file);
  let pending: (Buffer | string)[] = [];
  let size = 0;
  const flush = async (): Promise<void> => {
    const chunk = typeof pending[0] === 'string' ? pending.join('') : Buffer.concat(pending as Buffer[]);
    pending = [];
    size = 0;
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  };
  for (const b of produce()) {
    pending.push(b);
    size += b.length;
    if (size >= 4 << 20) await flush();
  }
  if (pending.length) await flush();
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

async function generate(): Promise<void> {
  await mkdir(DIR, { recursive: true });
  const codec = singleByteCodec('cp037')!;
  const rand = mulberry32(42);
  // A thousand distinct records, their customer numbers rewritten per copy (bytes 2–9).
  const customers = Array.from({ length: TEMPLATES }, (_, i) => customerRecord(codec, makeCustomer(rand, i)));
  const note = noteRecord(codec, 'CU000000', 1, 'CALLED RE OVERDUE ACCOUNT! [FOLLOW UP]');
  await writeChunks(FW_FILE, function* () {
    for (let i = 0; i < N; i++) {
      const rec = Buffer.from(customers[i % TEMPLATES]!);
      rec.set(codec.encode(`C${String(i).padStart(7, '0')}`), 1);
      yield rec;
      if (i % NOTE_EVERY === 0) yield note;
    }
  });
  const people = Array.from({ length: TEMPLATES }, (_, i) => xmlCustomer(makeXmlCustomer(rand, i + 1)));
  await writeChunks(XML_FILE, function* () {
    yield '<?xml version="1.0" encoding="UTF-8"?>\n<export generated="2024-06-11T09:30:00Z">\n  <customers>\n';
    for (let i = 0; i < N; i++) yield people[i % TEMPLATES]!.replace(/id="X\d+"/, `id="X${String(i).padStart(7, '0')}"`) + '\n';
    yield '  </customers>\n</export>\n';
  });
}

/** In the child: reads one source and reports counts, time and peak RSS. */
async function readOne(name: string): Promise<void> {
  const cfg = parseConfig(SOURCES, { file: 'bench.yaml' });
  const source = cfg.sources.find((s) => s.name === name)!;
  const connector = createConnector(source);
  await connector.check();
  let records = 0;
  let malformed = 0;
  let peak = process.memoryUsage.rss();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for await (const b of connector.read()) {
    records += b.records.length;
    malformed += b.malformed.length;
    peak = Math.max(peak, process.memoryUsage.rss());
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const maxRss = process.resourceUsage().maxRSS * 1024;
  process.send!({ records, malformed, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peak: Math.max(peak, maxRss) });
}

interface Result {
  records: number;
  malformed: number;
  seconds: number;
  /** CPU time of the read (all threads): what the read costs when it has a core to itself. */
  cpuSeconds: number;
  peak: number;
}

function runChild(name: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--read', name, String(N)], { execArgv: process.execArgv });
    let result: Result | undefined;
    child.on('message', (m) => (result = m as Result));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 && result ? resolve(result) : reject(new Error(`${name}: child exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const readAt = args.indexOf('--read');
  if (readAt >= 0) return readOne(args[readAt + 1]!);
  const t0 = performance.now();
  await generate();
  const sizes = await Promise.all([stat(FW_FILE), stat(XML_FILE)]);
  console.log(
    `generated ${N.toLocaleString('en')} records (+${Math.ceil(N / NOTE_EVERY).toLocaleString('en')} notes) in ${((performance.now() - t0) / 1000).toFixed(1)} s: ` +
      `fixed-width ${(sizes[0].size / 1e6).toFixed(0)} MB, xml ${(sizes[1].size / 1e6).toFixed(0)} MB (${DIR})`,
  );
  try {
    for (const [label, name] of [
      ['fixed-width cp037', 'bench-fw'],
      ['xml', 'bench-xml'],
    ] as const) {
      const load = loadavg()[0]!;
      const r = await runChild(name);
      const rate = r.records / r.seconds;
      const cpuRate = r.records / r.cpuSeconds;
      const ok = rate >= 100_000 && r.peak < 300e6;
      console.log(
        `${label.padEnd(18)} ${r.records.toLocaleString('en')} records (${r.malformed} malformed) in ${r.seconds.toFixed(2)} s: ` +
          `${Math.round(rate).toLocaleString('en')} records/s (${Math.round(cpuRate).toLocaleString('en')} per CPU-second), ` +
          `peak RSS ${(r.peak / 1e6).toFixed(0)} MB, load average ${load.toFixed(1)} on ${cpus().length} CPUs  ` +
          `${ok ? 'OK' : 'UNDER TARGET (≥ 100,000 records/s, < 300 MB)'}`,
      );
    }
  } finally {
    if (!args.includes('--keep')) await rm(DIR, { recursive: true, force: true });
  }
}

await main();
