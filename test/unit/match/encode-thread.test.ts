import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import type { CanonicalValues } from '../../../src/core/fields.js';
import { readStandardizedRecords } from '../../../src/eval/standardized-records.js';
import { writeDataset } from '../../../src/generator/index.js';
import { RecordTable } from '../../../src/master/record-table.js';
import { encodeInThread } from '../../../src/transforms/match/encode-thread.js';
import { type EncodedRecords, encodeRecords } from '../../../src/transforms/match/encoded.js';
import { toMatchRecord } from '../../../src/transforms/match/index.js';

let records: { source: string; key: string; values: CanonicalValues }[];

beforeAll(async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-enc-'));
  try {
    await writeDataset(dir, { records: 2000, seed: 3 });
    records = await readStandardizedRecords(await loadConfig(path.join(dir, 'config.yaml')), '2026-11-27');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  // Chinese and traditional names (pinyin keys), a full name only, and a record with nothing.
  records.push(
    { source: 'extra', key: 'c1', values: { family_name: '張', given_name: '偉', phone: '+8613800138000;ext=12', company_name: '北京科技有限公司' } },
    { source: 'extra', key: 'c2', values: { full_name: 'Mary Ann O’Neil', address_line1: '12 Main St', address_line2: 'Apt 4' } },
    { source: 'extra', key: 'c3', values: {} },
  );
}, 60_000);

/** Everything of an encoding, typed arrays as plain arrays. */
function plain(enc: EncodedRecords): unknown {
  const arr = (a: Int32Array): number[] => Array.from(a);
  return {
    n: enc.n,
    sources: enc.sources,
    source: arr(enc.source),
    dicts: enc.dicts,
    rows: arr(enc.rows),
    givenPh: enc.givenPh,
    familyPh: enc.familyPh,
    words: Object.fromEntries(Object.entries(enc.words).map(([f, t]) => [f, { words: t.words, start: arr(t.start), ids: arr(t.ids) }])),
  };
}

describe('match records encoded in a thread', () => {
  it('gives what encodeRecords gives on the calling thread, across many batches', async () => {
    const expected = encodeRecords(records.map((r) => toMatchRecord(r.source, r.key, r.values)));
    // Batches of 97: many of them, the last one short, more batches than are let in flight.
    const got = await encodeInThread(records, records.length, 97);
    expect(got.n).toBe(records.length);
    expect(got.dicts.given.length).toBeGreaterThan(100);
    expect(got.sources).toEqual([...new Set(records.map((r) => r.source))]);
    expect(plain(got)).toEqual(plain(expected));
    // The columns are shared memory, ready for the matching threads.
    expect(got.rows.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('gives the same from records sent packed, as a full run holds them, records kept whole among them', async () => {
    const b = RecordTable.builder();
    records.forEach((r, i) => b.add({ ...r, line: i, hash: `h${i}` }));
    // Records packing cannot hold: an empty value, a value holding the separator.
    b.add({ source: 'extra', key: 'w1', line: 1e6, values: { family_name: 'Wu', given_name: '', email: 'w@x.cn' } });
    b.add({ source: 'extra', key: 'w2', line: 1e6 + 1, values: { family_name: 'Wu\u0001Li', phone: '+8613800138001' } });
    const table = b.build({ sources: [] });
    const expected = encodeRecords(Array.from(table, (r) => toMatchRecord(r.source, r.key, r.values)));
    const got = await encodeInThread(table, table.length, 97);
    expect(plain(got)).toEqual(plain(expected));
    expect(got.n).toBe(records.length + 2);
  });

  it('encodes no records as encodeRecords does', async () => {
    expect(plain(await encodeInThread([], 0))).toEqual(plain(encodeRecords([])));
  });

  it('fails with the count when fewer records come than were announced, and when more do', async () => {
    await expect(encodeInThread(records.slice(0, 10), 11)).rejects.toThrow(/10 records, 11 announced/);
    await expect(encodeInThread(records.slice(0, 10), 9, 4)).rejects.toThrow(/more than the 9 records announced/);
  });

  it('fails with the error of either thread instead of waiting for a batch that never comes', async () => {
    // A value no standardized record holds (a number), in the second batch (the features thread's), then in the first (the encoding thread's).
    const bad = { source: 'x', key: 'bad', values: { family_name: 42 as unknown as string } };
    const second = [...records.slice(0, 5), bad, ...records.slice(5, 12)];
    await expect(encodeInThread(second, second.length, 4)).rejects.toThrow(/features thread: .*normalize/);
    const first = [bad, ...records.slice(0, 12)];
    await expect(encodeInThread(first, first.length, 4)).rejects.toThrow(/encoding thread: .*normalize/);
  });
});
