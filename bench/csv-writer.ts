/**
 * CsvWriter (the CSV every COPY of the store is made of) on JSON values like the master's audit
 * entries and provenance, whose many quotes are doubled: time per value.
 *
 *   npx tsx bench/csv-writer.ts [values]
 */
import { CsvWriter } from '../src/store/bulk-insert.js';

const n = Number(process.argv[2] ?? 2_000);
const json = Array.from({ length: n }, (_, i) =>
  JSON.stringify({ full_name: `Anna Li ${i}`, given_name: 'Anna', family_name: 'Li', email: `anna.li${i}@example.com`, phone: '+61412345678', birth_date: '1990-01-02', city: 'Sydney', region: 'NSW', postal_code: '2000', country: 'AU', record_count: 2, records: [`erp:C10${i}`, `crm:SC-10${i}`] }),
);
const target = { table: 'master_audit', columns: ['after'] };
const row: unknown[] = [null];
for (let round = 0; round < 5; round++) {
  const csv = new CsvWriter(256 * 1024);
  const t = performance.now();
  for (let r = 0; r < 100; r++) {
    for (const v of json) {
      row[0] = v;
      csv.row(row, target, 1);
      if (csv.size >= 256 * 1024) csv.take();
    }
  }
  console.log(`${(((performance.now() - t) * 1000) / (100 * n)).toFixed(2)} µs per ${json[0]!.length}-character JSON value`);
}
