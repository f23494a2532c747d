import { describe, expect, it } from 'vitest';
import { type Constraint, constraintIndexPairs } from '../../../src/master/constraints.js';

const rec = (source: string, key: string) => ({ source, key });
// Keys that would collide if source and key were joined carelessly ("a" + "b:1" / "a:b" + "1").
const records = [rec('erp', '1'), rec('crm', '1'), rec('erp', '2'), rec('a', 'b:1'), rec('a:b', '1'), rec('crm', '7')];

describe('steward constraints as record index pairs', () => {
  it('gives the indexes of both records of each constraint, by kind', () => {
    const constraints: Constraint[] = [
      { kind: 'must_link', a: rec('erp', '1'), b: rec('crm', '1') },
      { kind: 'cannot_link', a: rec('crm', '7'), b: rec('erp', '2') },
      { kind: 'must_link', a: rec('a', 'b:1'), b: rec('erp', '2') },
      { kind: 'cannot_link', a: rec('a:b', '1'), b: rec('erp', '1') },
    ];
    expect(constraintIndexPairs(records, constraints)).toEqual({
      mustLink: [
        [0, 1],
        [3, 2],
      ],
      cannotLink: [
        [5, 2],
        [4, 0],
      ],
    });
  });

  it('leaves out a constraint on a record that is not among them (gone from its source, or out of scope)', () => {
    const constraints: Constraint[] = [
      { kind: 'must_link', a: rec('erp', '1'), b: rec('erp', '99') },
      { kind: 'cannot_link', a: rec('legacy', '1'), b: rec('crm', '1') },
      { kind: 'must_link', a: rec('crm', '7'), b: rec('erp', '1') },
    ];
    expect(constraintIndexPairs(records, constraints)).toEqual({ mustLink: [[5, 0]], cannotLink: [] });
    expect(constraintIndexPairs(records, [])).toEqual({ mustLink: [], cannotLink: [] });
  });
});
