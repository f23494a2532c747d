import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../../src/config/load-config.js';
import type { SourceConfig } from '../../../src/config/schema.js';
import type { Cursor, SourceConnector } from '../../../src/connectors/connector.js';
import { singleByteCodec } from '../../../src/connectors/fixed-width/single-byte.js';
import { createConnector } from '../../../src/connectors/registry.js';
import type { MalformedRow, RawRecord } from '../../../src/core/record.js';
import { customerRecord, makeCustomer, mulberry32, noteRecord, writeLegacyFixtures, type LegacyFixtureFacts } from '../../../fixtures/legacy/make-fixtures.js';
import { describeConnectorConformance, describeFileResume } from '../../support/connector-conformance.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/legacy');

let dir: string;
let facts: LegacyFixtureFacts;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-fixed-width-'));
  facts = writeLegacyFixtures(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function fixtureSource(name: string): Promise<SourceConfig> {
  const cfg = await loadConfig(path.join(FIXTURES, 'sources.yaml'), {});
  const s = cfg.sources.find((x) => x.name === name);
  if (!s) throw new Error(`no source ${name} in sources.yaml`);
  return s;
}

async function readAll(c: SourceConnector, opts: { cursor?: Cursor; batchSize?: number } = {}) {
  const records: RawRecord[] = [];
  const malformed: MalformedRow[] = [];
  let cursor: Cursor = {};
  for await (const b of c.read(opts)) {
    records.push(...b.records);
    malformed.push(...b.malformed);
    cursor = b.cursor;
  }
  return { records, malformed, cursor, byKey: new Map(records.map((r) => [r.key, r])) };
}

const MASTER_COLUMNS = ['cust_no', 'family_name', 'given_name', 'birth_date', 'opened', 'credit_limit', 'balance', 'branch', 'city', 'postcode', 'phone', 'remark'];

describeConnectorConformance('fixed-width (EBCDIC cp037, fixed-length records)', async () => ({
  connector: async () => createConnector(await fixtureSource('master-cp037')),
  expectedKeys: facts.cp037Keys,
  malformedCount: 1,
  sampleColumn: 'family_name',
  expectedColumns: MASTER_COLUMNS,
}));

describeConnectorConformance('fixed-width (EBCDIC cp500, truncated last record)', async () => ({
  connector: async () => createConnector(await fixtureSource('master-cp500')),
  expectedKeys: facts.cp500Keys,
  malformedCount: 2,
  sampleColumn: 'family_name',
  expectedColumns: MASTER_COLUMNS,
}));

describeConnectorConformance('fixed-width (Latin-1 lines)', async () => ({
  connector: async () => createConnector(await fixtureSource('clients-latin1')),
  expectedKeys: facts.clientKeys,
  malformedCount: 2,
  sampleColumn: 'surname',
  expectedColumns: ['client_id', 'surname', 'first_name', 'dob', 'credit', 'balance', 'points', 'email'],
}));

describe('fixed-width fixtures', () => {
  it('are what make-fixtures.ts writes (run `npx tsx fixtures/legacy/make-fixtures.ts` after editing it)', async () => {
    for (const f of ['customers-cp037.dat', 'customers-cp500.dat', 'clients-latin1.txt', 'customers.xml', 'sources.yaml']) {
      expect(await readFile(path.join(FIXTURES, f)), f).toEqual(await readFile(path.join(dir, f)));
    }
  });
});

describe('fixed-width: EBCDIC customer master', () => {
  it('decodes text, packed credit limits, zoned balances and dates, in cp037 and cp500 alike', async () => {
    for (const name of ['master-cp037', 'master-cp500']) {
      const { byKey } = await readAll(createConnector(await fixtureSource(name)));
      // CU100002 as make-fixtures.ts writes it (seeded), so the values are known.
      expect(byKey.get('CU100002')!.fields).toEqual({
        cust_no: 'CU100002',
        family_name: 'DUBOIS',
        given_name: 'ANH',
        birth_date: '1941-07-17',
        opened: '2012-04-21',
        credit_limit: '13500.00',
        balance: '5787.39',
        branch: '93',
        city: 'MELBOURNE',
        postcode: '3000',
        phone: '0355505604',
        remark: '[VIP]',
      });
      expect(byKey.get('CU100001')!.fields.given_name).toBe('ZOË');
      expect(byKey.get('CU100003')!.fields.birth_date).toBe(''); // 00000000: no date
    }
  });

  it('decodes every customer to values that encode back to the same 120 bytes, negative balances included', async () => {
    const codec = singleByteCodec('cp037')!;
    const bytes = await readFile(path.join(FIXTURES, 'customers-cp037.dat'));
    const { records } = await readAll(createConnector(await fixtureSource('master-cp037')));
    let negatives = 0;
    for (const r of records) {
      const rec = bytes.subarray((r.lineage.line! - 1) * 120, r.lineage.line! * 120);
      expect(codec.decode(rec, 0, 1)).toBe('C');
      const f = r.fields;
      const cents = (s: string): number => Math.round(Number(s) * 100);
      const c = {
        custNo: f.cust_no!,
        family: f.family_name!,
        given: f.given_name!,
        birth: f.birth_date ? f.birth_date.replace(/-/g, '') : '00000000',
        opened: `${f.opened!.startsWith('20') ? 1 : 0}${f.opened!.slice(2).replace(/-/g, '')}`,
        creditLimit: cents(f.credit_limit!),
        balance: cents(f.balance!),
        branch: Number(f.branch),
        city: f.city!,
        postcode: f.postcode!,
        phone: f.phone!,
        remark: f.remark!,
      };
      if (c.balance < 0) negatives++;
      expect(customerRecord(codec, c)).toEqual(rec);
    }
    expect(negatives).toBeGreaterThan(3);
  });

  it('skips the note records and counts them; the corrupt record comes back with its number and byte offset', async () => {
    const { records, malformed, cursor } = await readAll(createConnector(await fixtureSource('master-cp037')), { batchSize: 10 });
    expect(records.every((r) => r.key.startsWith('CU'))).toBe(true);
    expect(cursor).toMatchObject({ skipped: facts.noteRecords, delivered: facts.cp037Keys.length, malformed: 1, done: true, offset: 8880 });
    expect(malformed).toHaveLength(1);
    const m = malformed[0]!;
    expect(m.code).toBe('INVALID_PACKED');
    expect(m.lineage.line).toBe(30);
    expect(m.message).toBe(
      'record 30 at byte 3480: field "credit_limit" (packed, bytes 60-64): low nibble 0xA of byte 0x3A is not a decimal digit, at byte offset 3541 of the file',
    );
    expect(m.raw).toMatch(/^CCU100017O'BRIEN/);
    expect(m.raw).not.toMatch(/[\u0000-\u001f]/);
  });

  it('reports the truncated last record of the cp500 file', async () => {
    const { malformed } = await readAll(createConnector(await fixtureSource('master-cp500')));
    const short = malformed.find((m) => m.code === 'SHORT_RECORD')!;
    expect(short.lineage.line).toBe(75);
    expect(short.message).toBe('record 75 at byte 8880 is 70 bytes; the layout needs 120 (record_length)');
  });

  it('resumes by seeking to the cursor offset, and reads only what was appended since', async () => {
    const file = path.join(dir, 'append.dat');
    await writeFile(file, await readFile(path.join(FIXTURES, 'customers-cp037.dat')));
    const cfg = { ...(await fixtureSource('master-cp037')), path: file } as SourceConfig;
    const first = await readAll(createConnector(cfg));
    const codec = singleByteCodec('cp037')!;
    const rand = mulberry32(7);
    const extra = [makeCustomer(rand, 900), makeCustomer(rand, 901)];
    await appendFile(file, Buffer.concat([customerRecord(codec, extra[0]!), noteRecord(codec, extra[0]!.custNo, 1, 'HELLO'), customerRecord(codec, extra[1]!)]));
    const next = await readAll(createConnector(cfg), { cursor: first.cursor });
    expect(next.records.map((r) => r.key)).toEqual(['CU100900', 'CU100901']);
    expect(next.records.map((r) => r.lineage.line)).toEqual([75, 77]);
    expect(next.cursor).toMatchObject({ records: 77, delivered: 41, skipped: facts.noteRecords + 1, malformed: 1 });
    // A file rewritten in place (not grown) is read from the start.
    await writeFile(file, await readFile(path.join(FIXTURES, 'customers-cp037.dat')));
    const again = await readAll(createConnector(cfg), { cursor: next.cursor });
    expect(again.records).toHaveLength(facts.cp037Keys.length);
  });
});

describe('fixed-width: line-based Latin-1 file', () => {
  it('decodes Latin-1 names, dd/mm/yyyy dates, implied decimals, trailing signs and ASCII zoned values', async () => {
    const { byKey, malformed, cursor } = await readAll(createConnector(await fixtureSource('clients-latin1')));
    expect(byKey.get('L00001')!.fields).toEqual({
      client_id: 'L00001',
      surname: 'Schröder',
      first_name: 'José',
      dob: '',
      credit: '5700.00',
      balance: '2698.51',
      points: '1328',
      email: 'jose.schroder1@outlook.com',
    });
    expect(byKey.get('L00002')!.fields.dob).toBe('1958-09-18');
    expect([...byKey.values()].some((r) => r.fields.balance!.startsWith('-'))).toBe(true);
    expect([...byKey.values()].some((r) => r.fields.points!.startsWith('-'))).toBe(true);
    // Lineage is the line number: header on line 1, a blank line after L00015.
    expect(byKey.get('L00001')!.lineage.line).toBe(2);
    expect(byKey.get('L00016')!.lineage.line).toBe(18);
    expect(malformed.map((m) => [m.code, m.lineage.line])).toEqual([
      ['SHORT_RECORD', 10],
      ['INVALID_NUMBER', 23],
    ]);
    expect(malformed[1]!.message).toMatch(/field "credit" \(decimal, bytes 51-59\): "00001A000" is not a decimal number, at byte offset \d+/);
    expect(cursor).toMatchObject({ skipped: 3, malformed: 2, delivered: 28 }); // header, trailer, blank line
  });
});

describe('fixed-width: edge cases on small files', () => {
  const layoutYaml = `
    layout:
      - { name: id, start: 2, length: 3 }
      - { name: name, start: 5, length: 6 }
      - { name: amount, start: 11, length: 4, type: zoned, scale: 2, signed: true }`;
  const source = (extra: string, file: string): SourceConnector => {
    const cfg = parseConfig(`sources:\n  - name: t\n    kind: fixed-width\n    path: ${file}\n    key: id\n    mapping: {}\n${extra}${layoutYaml}\n`, { file: 't.yaml', baseDir: dir });
    return createConnector(cfg.sources[0]!);
  };

  it('filters record types, reports short and long lines, tolerates trailing blanks and a missing final line break', async () => {
    const lines = ['HHEADER', 'D001ALICE 012{', 'X999OTHER 0000', 'D002BOB   001J', 'D003CAROL 05', 'D004DAVE  0100   ', 'D005EVE   0100 EXTRA', 'D006FRED  010C'];
    await writeFile(path.join(dir, 'types.txt'), lines.join('\n'));
    const { records, malformed, cursor } = await readAll(source('    record_type: { start: 1, length: 1, value: D }\n', 'types.txt'));
    expect(records.map((r) => [r.key, r.fields.name, r.fields.amount, r.lineage.line])).toEqual([
      ['001', 'ALICE', '1.20', 2],
      ['002', 'BOB', '-0.11', 4],
      ['004', 'DAVE', '1.00', 6],
      ['006', 'FRED', '1.03', 8],
    ]);
    expect(malformed.map((m) => [m.code, m.lineage.line])).toEqual([
      ['SHORT_RECORD', 5],
      ['LONG_RECORD', 7],
    ]);
    expect(malformed[0]!.message).toBe('record 5 at byte 53 is 12 bytes; the layout needs 14');
    expect(cursor).toMatchObject({ records: 8, skipped: 2 });
  });

  it('reads fixed-length records, ignores padding after the last one, and reports missing and repeated keys', async () => {
    const cp = singleByteCodec('cp037')!;
    const recs = ['D001ALICE 012{', 'D002BOB   001J', 'D   NOKEY 0000', 'D001AGAIN 0000'];
    await writeFile(path.join(dir, 'fixed.dat'), Buffer.concat([cp.encode(recs.join('')), Buffer.from([0x25])]));
    const c = source('    encoding: cp037\n    record_length: 14\n', 'fixed.dat');
    expect((await c.check()).columns).toEqual(['id', 'name', 'amount']);
    const { records, malformed } = await readAll(c);
    expect(records.map((r) => r.fields)).toEqual([
      { id: '001', name: 'ALICE', amount: '1.20' },
      { id: '002', name: 'BOB', amount: '-0.11' },
    ]);
    expect(malformed.map((m) => [m.code, m.lineage.line])).toEqual([
      ['MISSING_KEY', 3],
      ['DUPLICATE_KEY', 4],
    ]);
  });

  it('check() explains a record_length on a line-based file, and a missing one on a file without line breaks', async () => {
    await writeFile(path.join(dir, 'lines.txt'), 'D001ALICE 012{\r\n'.repeat(50));
    await expect(source('    record_length: 14\n', 'lines.txt').check()).rejects.toThrow(
      /records are separated by line breaks \(every 16 bytes, 14 bytes of data\).*remove record_length/,
    );
    await writeFile(path.join(dir, 'nobreaks.dat'), 'D001ALICE 012{'.repeat(6000));
    await expect(source('', 'nobreaks.dat').check()).rejects.toMatchObject({ code: 'SOURCE_SCHEMA', message: expect.stringMatching(/needs record_length/) });
    expect((await source('    record_length: 14\n', 'nobreaks.dat').check()).columns).toHaveLength(3);
  });

  it('refuses multi-byte encodings and reports a missing file', async () => {
    await expect(source('    encoding: utf-8\n', 'types.txt').check()).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/not single-byte/) });
    await expect(source('', 'missing.txt').check()).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
    await expect(readAll(source('', 'missing.txt'))).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
  });

  it('reads the same records whatever the read chunking (records spanning chunk boundaries)', async () => {
    const cp = singleByteCodec('cp037')!;
    const n = 100_000; // 1.4 MB: more than one 1 MiB read
    const parts: Buffer[] = [];
    for (let i = 0; i < n; i++) parts.push(cp.encode(`D${String(i).padStart(3, '0').slice(-3)}${String(i).padStart(6, ' ')}012{`));
    await writeFile(path.join(dir, 'big.dat'), Buffer.concat(parts));
    const cfg = parseConfig(
      `sources:\n  - name: t\n    kind: fixed-width\n    path: big.dat\n    encoding: cp037\n    record_length: 14\n    key: [id, name]\n    mapping: {}\n${layoutYaml}\n`,
      { file: 't.yaml', baseDir: dir },
    );
    const { records, malformed } = await readAll(createConnector(cfg.sources[0]!), { batchSize: 4096 });
    expect(malformed).toEqual([]);
    expect(records).toHaveLength(n);
    expect(records[n - 1]!.fields).toEqual({ id: '999', name: '99999', amount: '1.20' });
    expect(records[n - 1]!.lineage.line).toBe(n);
  });
});

describeFileResume('fixed-width', async () => ({
  file: path.join(dir, 'resume.dat'),
  connector: async (file) =>
    createConnector(
      parseConfig(`sources:\n  - name: r\n    kind: fixed-width\n    path: ${JSON.stringify(file)}\n    key: id\n    mapping: {}\n    layout:\n      - { name: id, start: 1, length: 5 }\n      - { name: name, start: 6, length: 12 }\n`, { file: 't.yaml' }).sources[0]!,
    ),
  write: (file, records) => writeFile(file, records.map((r) => r.key + r.name.padEnd(12)).join('\n') + '\n'),
}));
