import { describe, expect, it } from 'vitest';
import type { Cursor, SourceConnector } from '../../src/connectors/connector.js';
import type { MalformedRow, RawRecord } from '../../src/core/record.js';

/** What a connector kind's test provides to the shared conformance suite. */
export interface ConformanceFixture {
  /** A connector over a source holding `expectedKeys` as good records and `malformedCount` broken ones. */
  connector(): Promise<SourceConnector>;
  expectedKeys: readonly string[];
  /** Broken records in the source: each must come back as malformed, with its position. */
  malformedCount: number;
  /** A field every record has (to check values arrive trimmed and mapped by column name). */
  sampleColumn: string;
  /** Column names `check()` must report (a subset is enough). */
  expectedColumns: readonly string[];
}

async function readAll(c: SourceConnector, opts: { cursor?: Cursor; batchSize?: number } = {}) {
  const records: RawRecord[] = [];
  const malformed: MalformedRow[] = [];
  const cursors: Cursor[] = [];
  for await (const b of c.read(opts)) {
    records.push(...b.records);
    malformed.push(...b.malformed);
    cursors.push(b.cursor);
  }
  return { records, malformed, cursors };
}

/**
 * The one conformance suite every connector kind runs: all records read, lineage on every
 * record, keys unique, trimmed values, a cursor that resumes where it stopped, and broken
 * records quarantined with their position while the read goes on.
 */
export function describeConnectorConformance(kind: string, fixture: () => Promise<ConformanceFixture>): void {
  describe(`connector conformance: ${kind}`, () => {
    it('check() reports the columns', async () => {
      const f = await fixture();
      const { columns } = await (await f.connector()).check();
      expect(columns).toEqual(expect.arrayContaining([...f.expectedColumns]));
    });

    it('reads every good record once, with lineage and trimmed values, and quarantines the broken ones', async () => {
      const f = await fixture();
      const { records, malformed } = await readAll(await f.connector(), { batchSize: 7 });
      expect(records.map((r) => r.key).sort()).toEqual([...f.expectedKeys].sort());
      expect(new Set(records.map((r) => r.key)).size).toBe(records.length);
      for (const r of records) {
        expect(r.lineage.location).toBeTruthy();
        expect(r.lineage.line ?? r.lineage.page ?? r.lineage.sheet).toBeDefined();
        expect(r.fields[f.sampleColumn]).toBeDefined();
        for (const v of Object.values(r.fields)) expect(v).toBe(v.trim());
      }
      expect(malformed).toHaveLength(f.malformedCount);
      for (const m of malformed) {
        expect(m.lineage.location).toBeTruthy();
        expect(m.lineage.line ?? m.lineage.page).toBeDefined();
        expect(m.code).toMatch(/^[A-Z_]+$/);
        expect(m.message.length).toBeGreaterThan(5);
      }
    });

    it('resumes from a cursor without losing or repeating a record', async () => {
      const f = await fixture();
      const c = await f.connector();
      const first: RawRecord[] = [];
      let cursor: Cursor | undefined;
      for await (const b of c.read({ batchSize: 5 })) {
        first.push(...b.records);
        cursor = b.cursor;
        if (first.length >= 5) break;
      }
      expect(cursor).toBeDefined();
      const rest = await readAll(await f.connector(), { cursor: cursor!, batchSize: 5 });
      const keys = [...first, ...rest.records].map((r) => r.key);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.sort()).toEqual([...f.expectedKeys].sort());
    });
  });
}

/** What a file kind's test provides to {@link describeFileResume}. */
export interface FileResumeFixture {
  /** A connector over `file`, keyed on the records' keys. */
  connector(file: string): Promise<SourceConnector>;
  /** Writes `file` holding records with these keys, in order, each with a name, as an export of this kind would. */
  write(file: string, records: readonly { key: string; name: string }[]): Promise<void>;
  /** A file path for the suite to write and read. */
  file: string;
}

async function readKeys(c: SourceConnector, cursor?: Cursor) {
  const keys: string[] = [];
  const resumed: (boolean | undefined)[] = [];
  const notes: string[] = [];
  let last: Cursor = {};
  for await (const b of c.read({ ...(cursor ? { cursor } : {}), batchSize: 7 })) {
    keys.push(...b.records.map((r) => r.key));
    resumed.push(b.resumed);
    notes.push(...(b.notes ?? []));
    last = b.cursor;
  }
  return { keys, resumed, notes, cursor: last };
}

/**
 * What a file source's cursor does when the file changes between runs: records only added at
 * the end are read alone; a file rewritten with other content (longer than before, so size and
 * time alone would pass for an append) is read again from the start, flagged and explained.
 */
export function describeFileResume(kind: string, fixture: () => Promise<FileResumeFixture>): void {
  const people = (prefix: string, from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => ({ key: `${prefix}${String(from + i).padStart(4, '0')}`, name: `Person ${from + i}` }));

  describe(`file resume: ${kind}`, () => {
    it('reads only the records added at the end since the cursor', async () => {
      const f = await fixture();
      await f.write(f.file, people('A', 1, 40));
      const first = await readKeys(await f.connector(f.file));
      expect(first.keys).toHaveLength(40);
      await f.write(f.file, people('A', 1, 45));
      const next = await readKeys(await f.connector(f.file), first.cursor);
      expect(next.keys).toEqual(people('A', 41, 45).map((p) => p.key));
      expect(next.resumed.every((r) => r !== false)).toBe(true);
      expect(next.notes).toEqual([]);
    });

    it('reads a file rewritten with other, more records from the start, and says why', async () => {
      const f = await fixture();
      await f.write(f.file, people('A', 1, 40));
      const first = await readKeys(await f.connector(f.file));
      await f.write(f.file, people('B', 1, 50));
      const next = await readKeys(await f.connector(f.file), first.cursor);
      expect(next.keys).toEqual(people('B', 1, 50).map((p) => p.key));
      expect(next.resumed[0]).toBe(false);
      expect(next.notes).toEqual([expect.stringMatching(/read again from the start/)]);
    });

    it('reads from the start when a record already read changed, even to a value of the same length', async () => {
      const f = await fixture();
      await f.write(f.file, people('A', 1, 40));
      const first = await readKeys(await f.connector(f.file));
      const edited = people('A', 1, 45).map((p) => (p.key === 'A0003' ? { ...p, name: 'Renamed!' } : p));
      await f.write(f.file, edited);
      const next = await readKeys(await f.connector(f.file), first.cursor);
      expect(next.keys).toEqual(edited.map((p) => p.key));
      expect(next.resumed[0]).toBe(false);
    });
  });
}
