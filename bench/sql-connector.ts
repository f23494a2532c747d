/**
 * Reads a 1,000,000-row ERP customers table on PostgreSQL through the `sql` connector and prints
 * records/s and peak RSS (target: at least 50,000 records/s with memory flat):
 *
 *   npx tsx bench/sql-connector.ts [rows] [batch_size]
 *
 * Seeds a fresh schema on PG_URL (the integration tests' server) with generate_series: ten rows
 * share each updated_at, so the key tie-breaker is exercised on every page; an index on
 * (updated_at, id) serves the keyset. Reads twice: incrementally ordered (cursor: updated_at)
 * and by key alone. The schema is dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { parseConfig } from '../src/config/load-config.js';
import type { SourceConnector } from '../src/connectors/connector.js';
import { createConnector } from '../src/connectors/registry.js';
import { PG_URL } from '../test/support/stores.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const BATCH = Number(process.argv[3] ?? 5000);
const schema = `bench_sql_${randomBytes(4).toString('hex')}`;

async function seed(client: pg.Client): Promise<void> {
  await client.query(`CREATE SCHEMA "${schema}"`);
  await client.query(`SET search_path TO "${schema}"`);
  await client.query(`CREATE TABLE customers (
    id bigint PRIMARY KEY, customer_no text NOT NULL, name text NOT NULL, email text, phone text,
    city text, country char(2), tax_id text, is_deleted boolean NOT NULL, updated_at timestamptz)`);
  await client.query(
    `INSERT INTO customers
     SELECT i, 'C' || lpad(i::text, 8, '0'),
            (ARRAY['Olivia','Jack','王','李','Zoë','José'])[1 + i % 6] || ' ' || (ARRAY['Smith','伟','娜','Müller','Nguyen'])[1 + i % 5],
            'customer' || i || '@example.com', '+61 4' || lpad((i * 7 % 100000000)::text, 8, '0'),
            (ARRAY['Sydney','上海','Auckland','Melbourne'])[1 + i % 4], (ARRAY['AU','CN','NZ'])[1 + i % 3],
            CASE WHEN i % 5 = 0 THEN NULL ELSE (51824753556 + i)::text END,
            i % 97 = 0,
            timestamptz '2024-01-01 00:00:00+00' + ((i / 10) * interval '1 second') + ((i / 10 % 1000) * interval '1 microsecond')
       FROM generate_series(1, $1::int) AS i`,
    [ROWS],
  );
  await client.query('CREATE INDEX customers_updated_id ON customers (updated_at, id)');
  await client.query('ANALYZE customers');
}

async function timeRead(label: string, connector: SourceConnector): Promise<void> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  let records = 0;
  let malformed = 0;
  let batches = 0;
  for await (const b of connector.read({ batchSize: BATCH })) {
    records += b.records.length;
    malformed += b.malformed.length;
    if (++batches % 10 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  peak = Math.max(peak, process.memoryUsage().rss);
  const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;
  console.log(
    `${label.padEnd(28)} ${records.toLocaleString('en')} records (${malformed} malformed) in ${seconds.toFixed(2)} s: ` +
      `${Math.round(records / seconds).toLocaleString('en')} records/s; this process used ${cpuSeconds.toFixed(2)} s of CPU ` +
      `(${Math.round(records / cpuSeconds).toLocaleString('en')} records per CPU-second); RSS ${mb(before)} before, peak ${mb(peak)}`,
  );
  if (records !== ROWS) throw new Error(`expected ${ROWS} records, read ${records}`);
}

// The figure depends on the machine: a busy one (load above its core count) halves it or worse.
const admin = new pg.Client({ connectionString: PG_URL });
await admin.connect();
try {
  const t0 = Date.now();
  await seed(admin);
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.availableParallelism()} cores`);
  console.log(`seeded ${ROWS.toLocaleString('en')} rows into ${schema}.customers in ${((Date.now() - t0) / 1000).toFixed(1)} s; batch size ${BATCH}`);
  const connector = (extra: Record<string, unknown>): SourceConnector => {
    const source = { name: 'erp', kind: 'sql', url: '${ERP_DATABASE_URL}', schema, table: 'customers', key: 'id', mapping: { full_name: 'name' }, ...extra };
    const cfg = parseConfig(JSON.stringify({ sources: [source] }), { file: 'bench', env: { ERP_DATABASE_URL: PG_URL } });
    return createConnector(cfg.sources[0]!);
  };
  await timeRead('cursor updated_at, key id', connector({ cursor: 'updated_at', soft_delete: { column: 'is_deleted' } }));
  await timeRead('key id only', connector({}));
  console.log(`max RSS of the process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
} finally {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
}
