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
