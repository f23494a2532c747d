import { describe, expect, it } from 'vitest';
import { CANONICAL_FIELDS } from '../../../src/core/fields.js';
import { RecordTable, listOf } from '../../../src/master/record-table.js';
import { type MasterRecord, sortRecords, toMasterRecord } from '../../../src/master/store-io.js';

const config = { sources: [{ name: 'erp' }, { name: 'crm' }] } as never;

function row(over: Record<string, unknown>): Record<string, unknown> {
  const r: Record<string, unknown> = { source: 'erp', source_key: 'K', line: 1, record_hash: 'ab12' };
  for (const f of CANONICAL_FIELDS) r[f] = null;
  return { ...r, ...over };
}

/** Records of every shape: values of all fields, nulls, no hash, no line, and values packing cannot hold. */
function rows(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const full = Object.fromEntries(CANONICAL_FIELDS.map((f, i) => [f, `${f} ${i} 王小明`]));
  out.push(row({ source_key: 'A1', line: 3, ...full }));
  out.push(row({ source_key: 'A2', line: 2, given_name: 'Anna', email: 'a@x.de' }));
  out.push(row({ source: 'crm', source_key: 'B1', line: null, record_hash: null, family_name: 'Li' }));
  out.push(row({ source: 'legacy', source_key: 'L9', line: 7, city: 'Berlin' }));
  out.push(row({ source: 'crm', source_key: 'B0', line: null, company_name: '' }));
  out.push(row({ source: 'erp', source_key: 'A0', line: 2, address_line1: 'a\u0001b' }));
  out.push(row({ source: 'erp', source_key: 'A3', line: 0, record_hash: '' }));
  for (let i = 0; i < 40; i++) out.push(row({ source: i % 3 ? 'crm' : 'erp', source_key: `R${(i * 7) % 40}`, line: i % 5, phone: i % 2 ? `+4930${i}` : null }));
  return out;
}

describe('RecordTable', () => {
  it('gives back every record exactly as read, in the canonical order, and their identities without unpacking', () => {
    const b = RecordTable.builder();
    for (const r of rows()) b.addRow(r);
    const table = b.build(config);
    const expected: MasterRecord[] = sortRecords(config, rows().map(toMasterRecord));
    expect(table.length).toBe(expected.length);
    expect(Array.from(table)).toEqual(expected);
    for (let i = 0; i < table.length; i++) {
      expect(table.at(i)).toEqual(expected[i]);
      expect(Object.keys(table.at(i).values)).toEqual([...CANONICAL_FIELDS]);
      expect([table.source(i), table.key(i)]).toEqual([expected[i]!.source, expected[i]!.key]);
    }
    // A record without a hash has none (not an empty one); an empty value stays empty.
    const at = (key: string) => Array.from(table).find((r) => r.key === key)!;
    expect(at('B1')).not.toHaveProperty('hash');
    expect(at('B0').values.company_name).toBe('');
    expect(at('A0').values.address_line1).toBe('a\u0001b');
  });

  it('reads records added as objects as the same records', () => {
    const recs = rows().map(toMasterRecord);
    const b = RecordTable.builder();
    for (const r of recs) b.add(r);
    expect(Array.from(b.build(config))).toEqual(sortRecords(config, [...recs]));
    // An array is a list too.
    const list = listOf(recs);
    expect(list.length).toBe(recs.length);
    expect([list.at(3), list.source(3), list.key(3)]).toEqual([recs[3], recs[3]!.source, recs[3]!.key]);
  });
});
