/**
 * Throughput of standardizeRecord on 200,000 synthetic customer records from several countries
 * (AU, US, GB, CN, DE, JP, TW), in the messy shapes real sources have. One core, one thread.
 *
 * Run:
 *   npx tsc bench/standardize.ts --outDir .bench/out --rootDir . --module nodenext \
 *     --moduleResolution nodenext --target es2022 --strict --skipLibCheck --types node
 *   node .bench/out/bench/standardize.js
 */
import type { CanonicalValues } from '../src/core/fields.js';
import {
  createStandardizeCache,
  standardizeRecord,
  type StandardizeCache,
  type StandardizeContext,
} from '../src/transforms/standardize/index.js';

const RECORDS = 200_000;

function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(42);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
const digits = (n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += String(Math.floor(random() * 10));
  return s;
};
const pad = (n: number): string => (n < 10 ? '0' + n : String(n));

const GIVEN = ['John', 'Mary', 'Wei', 'Olivia', 'James', 'Sophie', 'Hans', 'Yuki', 'Liam', 'Emma', 'Noah', 'Chloe', 'Jack', 'Mia', 'Lucas', 'Ava'];
const FAMILY = ['Smith', "O'Brien", 'McDonald', 'van der Berg', 'Nguyen', 'Müller', 'Brown', 'Wilson', 'Taylor', 'Zhang', 'Schmidt', 'Tanaka', 'Lee', 'Martin', 'Jones', 'Williams'];
const HAN_FAMILY = ['王', '李', '张', '刘', '陈', '杨', '黄', '欧阳', '林', '陳', '吳'];
const HAN_GIVEN = ['小明', '伟', '芳', '娜娜', '建国', '丽', '志强', '秀英', '大文', '美玲'];
const STREETS = ['George', 'Pitt', 'High', 'Main', 'King', 'Queen', 'Church', 'Station', 'Park', 'Victoria'];
const TYPES = ['St', 'ST', 'Rd', 'Street', 'Ave', 'Road', 'Cres', 'Dr', 'Pde', 'Lane'];
const CITIES = ['SYDNEY', 'melbourne', 'New York', 'london', 'Berlin', 'Tokyo', 'Taipei', 'Shanghai', 'St Kilda', 'Stoke-on-Trent'];
const COMPANIES = ['ACME TRADING PTY LTD', 'Foo Co., Ltd.', 'Widgets Inc.', 'Müller GmbH', 'The Example Company', 'Blue Sky Holdings Pty. Limited', '华为技术有限公司', 'Globex Corporation'];
const DOMAINS = ['gmail.com', 'Hotmail.com', 'bigpond.net.au', 'qq.com', '163.com', 'outlook.com', 'yahoo.co.jp', 'company.com.au'];

function phone(country: string): string {
  switch (country) {
    case 'AU':
      return pick(['04' + digits(2) + ' ' + digits(3) + ' ' + digits(3), '(02) 9' + digits(3) + ' ' + digits(4), '+61 4' + digits(8)]);
    case 'US':
      return pick(['(' + pick(['212', '415', '646', '310']) + ') ' + pick(['555', '234', '867']) + '-' + digits(4), '+1 212 ' + pick(['234', '867']) + ' ' + digits(4)]);
    case 'GB':
      return pick(['07' + pick(['700', '911', '400']) + ' ' + digits(6), '020 7' + digits(3) + ' ' + digits(4)]);
    case 'CN':
      return pick(['13' + digits(9), '+86 139 ' + digits(4) + ' ' + digits(4), '010-' + pick(['6', '8']) + digits(7)]);
    case 'DE':
      return pick(['030 ' + pick(['2', '4', '6']) + digits(7), '0151 ' + digits(8), '+49 89 ' + pick(['2', '5']) + digits(6)]);
    case 'JP':
      return pick(['090-' + digits(4) + '-' + digits(4), '03-' + pick(['3', '5', '6']) + digits(3) + '-' + digits(4)]);
    default:
      return pick(['09' + pick(['12', '28', '33']) + ' ' + digits(3) + ' ' + digits(3), '02-2' + digits(3) + '-' + digits(4)]);
  }
}

function date(): string {
  const y = 1940 + Math.floor(random() * 65);
  const m = 1 + Math.floor(random() * 12);
  const d = 1 + Math.floor(random() * 28);
  return pick([
    `${y}-${pad(m)}-${pad(d)}`,
    `${y}-${pad(m)}-${pad(d)}`,
    `${pad(d)}/${pad(m)}/${y}`,
    `${y}${pad(m)}${pad(d)}`,
    `${pad(d)}.${pad(m)}.${y}`,
    `${y}年${m}月${d}日`,
    `${d} ${pick(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun'])} ${y}`,
  ]);
}

function record(i: number): CanonicalValues {
  const country = pick(['AU', 'AU', 'AU', 'US', 'GB', 'CN', 'DE', 'JP', 'TW']);
  const han = country === 'CN' || country === 'TW';
  const g = han ? pick(HAN_GIVEN) : pick(GIVEN);
  const f = han ? pick(HAN_FAMILY) : pick(FAMILY);
  const v: CanonicalValues = {
    email: `${pick(GIVEN)}.${pick(FAMILY).replace(/[^A-Za-z]/g, '')}${i}@${pick(DOMAINS)}`,
    phone: phone(country),
    birth_date: date(),
    gender: pick(['M', 'F', 'male', 'Female', '男', '女', 'U', '']),
    address_line1: `${1 + Math.floor(random() * 300)} ${pick(STREETS)} ${pick(TYPES)}`,
    city: pick(CITIES),
    postal_code: country === 'GB' ? pick(['SW1A 1AA', 'ec1a1bb', 'M1 1AE']) : country === 'JP' ? '100' + digits(4) : country === 'US' ? digits(5) : country === 'CN' ? '100' + digits(3) : country === 'AU' ? '2' + digits(3) : '1' + digits(4),
    country: pick([country, country, country === 'CN' ? '中国' : country === 'DE' ? 'Deutschland' : country === 'GB' ? 'United Kingdom' : country === 'AU' ? 'Australia' : country]),
    source_updated_at: `2024-${pad(1 + Math.floor(random() * 12))}-${pad(1 + Math.floor(random() * 28))} 10:${pad(Math.floor(random() * 60))}:00`,
  };
  if (random() < 0.5) v.full_name = han ? f + g : pick([`${g} ${f}`, `${f.toUpperCase()}, ${g.toUpperCase()}`, `Mr ${g} ${f}`]);
  else {
    v.given_name = g;
    v.family_name = f;
  }
  if (random() < 0.3) v.company_name = pick(COMPANIES);
  return v;
}

const BATCH = 1_000;
// Records go through the pipeline in connector batches, freshly parsed. Each batch is kept here as
// JSON text and parsed just before it is standardized (outside the timed part), so the strings are
// flat and recently allocated as a CSV parser or database driver would deliver them.
const batches: string[] = [];
for (let b = 0; b < RECORDS / BATCH; b++) {
  const batch: CanonicalValues[] = [];
  for (let i = 0; i < BATCH; i++) batch.push(record(b * BATCH + i));
  batches.push(JSON.stringify(batch));
}
const ctx: StandardizeContext = { today: '2025-06-01', country: 'AU' };

let issues = 0;
const fmt = (n: number): string => Math.round(n).toLocaleString('en');

/**
 * Best of 5 runs over all records; only standardizeRecord is timed. Wall-clock time counts other
 * processes' turns on a shared machine; CPU time of this single-threaded process is the per-core
 * figure.
 */
function measure(label: string, cache: () => StandardizeCache | undefined): void {
  // Warm-up: let V8 optimize the hot paths, as a long pipeline run would.
  const warm = cache();
  for (let b = 0; b < 50; b++) {
    for (const r of JSON.parse(batches[b] as string) as CanonicalValues[]) standardizeRecord(r, ctx, warm);
  }
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let run = 0; run < 5; run++) {
    const c = cache(); // a fresh cache per run, as a fresh source run would have
    let wallNs = 0n;
    let cpuUs = 0;
    for (const text of batches) {
      const batch = JSON.parse(text) as CanonicalValues[];
      const start = process.hrtime.bigint();
      const cpuStart = process.cpuUsage();
      for (let i = 0; i < batch.length; i++) issues += standardizeRecord(batch[i] as CanonicalValues, ctx, c).issues.length;
      const used = process.cpuUsage(cpuStart);
      wallNs += process.hrtime.bigint() - start;
      cpuUs += used.user + used.system;
    }
    wall.push(RECORDS / (Number(wallNs) / 1e9));
    cpu.push(RECORDS / (cpuUs / 1e6));
  }
  console.log(
    `${label}: ${fmt(Math.max(...cpu))} records per CPU-second (best of 5: ${cpu.map(fmt).join(', ')}), ` +
      `${fmt(Math.max(...wall))} records/s wall-clock`,
  );
}

console.log(`standardizeRecord over ${RECORDS.toLocaleString('en')} synthetic records (AU, US, GB, CN, DE, JP, TW), batches of ${BATCH}`);
measure('  without cache', () => undefined);
measure('  with cache   ', () => createStandardizeCache());
console.log(`  (${issues} issues in all runs)`);
