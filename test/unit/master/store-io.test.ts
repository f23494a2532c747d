import { describe, expect, it } from 'vitest';
import { CANONICAL_FIELDS } from '../../../src/core/fields.js';
import { recordReader, toMasterRecord } from '../../../src/master/store-io.js';

const row = (over: Record<string, unknown>): Record<string, unknown> => {
  const r: Record<string, unknown> = { source: 'erp', source_key: 'K1', line: '7', record_hash: 'ab12' };
  for (const f of CANONICAL_FIELDS) r[f] = null;
  return { ...r, ...over };
};

describe('reading staged rows', () => {
  it('gives every canonical field, null where the row has none, with the record place and hash', () => {
    const rec = toMasterRecord(row({ given_name: 'Anna', city: 'Berlin' }));
    expect(rec).toEqual({ source: 'erp', key: 'K1', line: 7, hash: 'ab12', values: { ...Object.fromEntries(CANONICAL_FIELDS.map((f) => [f, null])), given_name: 'Anna', city: 'Berlin' } });
    expect(Object.keys(rec.values)).toEqual([...CANONICAL_FIELDS]);
  });

  it('reads many rows (sharing repeated values) exactly as one at a time', () => {
    const read = recordReader();
    const rows = [
      row({ given_name: 'Anna', family_name: 'Li', city: 'Berlin', email: 'a@x.de', country: 'DE' }),
      row({ source: 'crm', source_key: 'S-2', line: null, record_hash: null, given_name: 'Anna', family_name: 'Li', city: 'Berlin', email: 'b@x.de', country: 'DE' }),
      // A value of one field may equal another field's: each keeps its own place.
      row({ source_key: 'K3', given_name: 'Berlin', city: 'Anna', gender: 'F', birth_date: '1990-01-02' }),
    ];
    for (const r of rows) expect(read(r)).toEqual(toMasterRecord(r));
    expect(read(rows[1]!)).not.toHaveProperty('hash');
    expect(read(rows[1]!).line).toBeNull();
  });
});
