import { describe, expect, it } from 'vitest';
import { type ClusterToPlace, type IdAssignment, assignCustomerIds as assignByIndex, customerIdFor, refOf } from '../../../src/master/ids.js';
import { refList } from '../../../src/master/record-table.js';
import type { RecordRef } from '../../../src/master/store-io.js';

const r = (key: string) => ({ source: 's', key });
/** assignCustomerIds of clusters given as their members. */
function assignCustomerIds(clusters: { members: RecordRef[] }[], ...rest: Parameters<typeof assignByIndex> extends [unknown, unknown, ...infer R] ? R : never): IdAssignment {
  const refs = clusters.flatMap((c) => c.members);
  let k = 0;
  const byIndex: ClusterToPlace[] = clusters.map((c) => ({ idx: c.members.map(() => k++) }));
  return assignByIndex(byIndex, refList(refs), ...rest);
}
const prev = (pairs: [string, string][]) => new Map(pairs.map(([k, id]) => [refOf('s', k), id]));

describe('assignCustomerIds', () => {
  it('keeps ids when nothing changed and gives a new cluster a deterministic id', () => {
    const a = assignCustomerIds([{ members: [r('1'), r('2')] }, { members: [r('3')] }], prev([['1', 'CA'], ['2', 'CA']]), new Map([['CA', 'run1']]), new Set(['CA']), new Set());
    expect(a.ids).toEqual(['CA', customerIdFor('s', '3')]);
    expect(a.isNew).toEqual([false, true]);
    expect(a.fates.size).toBe(0);
  });

  it('on a merge keeps the older id and marks the other merged into it', () => {
    const created = new Map([['CZ', 'run1'], ['CA', 'run2']]);
    const a = assignCustomerIds([{ members: [r('1'), r('2'), r('3')] }], prev([['1', 'CA'], ['2', 'CA'], ['3', 'CZ']]), created, new Set(['CA', 'CZ']), new Set());
    expect(a.ids).toEqual(['CZ']);
    expect(a.fates.get('CA')).toEqual({ status: 'merged', mergedInto: 'CZ' });
  });

  it('on a split gives the id to the larger part', () => {
    const a = assignCustomerIds([{ members: [r('1')] }, { members: [r('2'), r('3')] }], prev([['1', 'CA'], ['2', 'CA'], ['3', 'CA']]), new Map([['CA', 'run1']]), new Set(['CA']), new Set());
    expect(a.ids[1]).toBe('CA');
    expect(a.ids[0]).toBe(customerIdFor('s', '1'));
  });

  it('never reuses an id the store holds, and retires a customer whose records are gone', () => {
    const taken = new Set([customerIdFor('s', '9')]);
    const a = assignCustomerIds([{ members: [r('9')] }], prev([]), new Map([['CA', 'run1']]), new Set(['CA']), taken);
    expect(a.ids[0]).toBe(customerIdFor('s', '9', 1));
    expect(a.fates.get('CA')).toEqual({ status: 'retired' });
  });
});
