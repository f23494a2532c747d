import { describe, expect, it } from 'vitest';
import type { RawRecord } from '../../../src/core/record.js';
import { createStager } from '../../../src/pipeline/stage-records.js';
import { StagingThread, packRecords, unpackRecords } from '../../../src/pipeline/stage-thread.js';
import { CsvRowBatch, COPY_STREAM_CHUNK } from '../../../src/store/bulk-insert.js';
import { SOURCE_RECORD_COLUMNS } from '../../../src/pipeline/stage-records.js';

describe('records packed for the staging thread', () => {
  it('come back as the connector gave them: missing columns, lineages, deleted marks', () => {
    const records: RawRecord[] = [
      { source: 'erp', key: '1', fields: { name: 'Ann', email: 'a@x.de' }, lineage: { location: 'erp.csv', line: 2 } },
      { source: 'erp', key: '2', fields: { email: '', city: 'Köln' }, lineage: { location: 'erp.csv', line: 3 }, deleted: true },
      { source: 'erp', key: '3', fields: {}, lineage: { location: 'erp.csv' } },
    ];
    expect(unpackRecords(structuredClone(packRecords(records)))).toEqual(records);
    const mixed: RawRecord[] = [
      { source: 'crm', key: 'a', fields: { n: 'x' }, lineage: { location: 'book.xlsx', sheet: 'Kunden', line: 4 } },
      { source: 'crm', key: 'b', fields: { n: 'y' }, lineage: { location: 'https://api/x', page: '2' } },
      { source: 'crm', key: 'c', fields: { n: 'z' }, lineage: { location: 'other.csv', line: 9 } },
    ];
    expect(unpackRecords(structuredClone(packRecords(mixed)))).toEqual(mixed);
    expect(unpackRecords(packRecords([]))).toEqual([]);
  });
});

describe('the staging thread', () => {
  const spec = { source: 'erp', runId: 'r1', today: '2026-11-28', country: 'DE', mapping: { given_name: 'given', family_name: 'family', email: 'email', phone: 'phone', birth_date: 'birth' } };
  const records: RawRecord[] = Array.from({ length: 300 }, (_, i) => ({
    source: 'erp',
    key: String(i),
    fields: { given: `Jörg${i % 7}`, family: `MÜLLER ${i % 11}`, email: i % 13 ? `j${i}@web.de` : 'kaputt', phone: `030 ${1000000 + i}`, birth: i % 17 ? `1970-0${1 + (i % 9)}-1${i % 10}` : '1970-13-40', extra: 'x' },
    lineage: { location: 'erp.csv', line: i + 2 },
  }));

  it('stages a batch exactly as the main thread does, its rows as COPY CSV', async () => {
    const here = createStager(spec, null)(records);
    const csv = new CsvRowBatch('source_records', SOURCE_RECORD_COLUMNS, COPY_STREAM_CHUNK, null);
    for (const r of here.rows) csv.add(r);
    const thread = new StagingThread(null);
    try {
      const [a, b] = await Promise.all([thread.stage(spec, records), thread.stage(spec, records.slice(0, 10))]);
      expect(Buffer.concat(a.csv).toString()).toBe(Buffer.concat(csv.takeChunks()).toString());
      expect(a.rowCount).toBe(300);
      expect(a.rejects).toEqual(here.rejects);
      expect(a.rejects.length).toBeGreaterThan(20);
      expect(a.counts).toEqual(here.counts);
      expect(b.rowCount).toBe(10);
    } finally {
      await thread.close();
    }
  });

  it('is free while it holds fewer batches than its depth, and fails calls after an error in the thread', async () => {
    const thread = new StagingThread(null);
    try {
      expect(thread.free).toBe(true);
      const calls = Array.from({ length: thread.depth }, () => thread.stage(spec, records));
      expect(thread.free).toBe(false);
      await Promise.all(calls);
      expect(thread.free).toBe(true);
      // A mapping the stager cannot use fails in the thread, and the call fails with its message.
      await expect(thread.stage({ ...spec, mapping: null as never }, records)).rejects.toThrow(/staging thread/);
    } finally {
      await thread.close();
    }
  });
});
