import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import { type SurvivorRecord, decodeProvenance, encodeProvenance, storedProvenanceText, survivalPolicy, surviveGolden } from '../../../src/master/survivorship.js';

const sources = `sources:
  - {name: erp, kind: csv, path: a.csv, key: id, mapping: {email: e}}
  - {name: crm, kind: csv, path: b.csv, key: id, mapping: {email: e}}
  - {name: web, kind: csv, path: c.csv, key: id, mapping: {email: e}}
`;
const policyOf = (extra = '') => survivalPolicy(parseConfig(sources + extra, { file: 'etl.yaml' }));

const rec = (source: string, key: string, values: SurvivorRecord['values']): SurvivorRecord => ({ source, key, values });
const members = [
  rec('web', 'w1', { email: 'ann@old.example', phone: '+61400000001', address_line1: '1 Short St', source_updated_at: '2023-01-01' }),
  rec('crm', 'c1', { email: 'ann@old.example', phone: '+61400000002', address_line1: '1 Short Street West', city: 'Perth', source_updated_at: '2022-06-01' }),
  rec('erp', 'e1', { email: 'ann@new.example', address_line1: '1 Short St', city: 'Perth', region: 'WA', postal_code: '6000', source_updated_at: '2024-05-01' }),
];

describe('survivorship', () => {
  it('by default takes the most frequent value, ties to the most recent record, and keeps provenance', () => {
    const g = surviveGolden(members, policyOf());
    expect(g.values.email).toBe('ann@old.example');
    expect(g.provenance.email).toEqual({ source: 'web', key: 'w1', rule: 'most_frequent' });
    // A tie (one each): the most recently updated record wins.
    expect(g.values.phone).toBe('+61400000001');
    // source_updated_at is most recent by default.
    expect(g.values.source_updated_at).toBe('2024-05-01');
    expect(g.provenance.region).toEqual({ source: 'erp', key: 'e1', rule: 'only_value' });
    expect(g.values.gender).toBeNull();
    expect(g.provenance.gender).toBeUndefined();
  });

  it('applies source priority, most recent, most complete and longest where configured', () => {
    const g = surviveGolden(
      members,
      policyOf(`survivorship:
  default: source_priority
  source_priority: [crm, erp, web]
  fields:
    email: most_recent
    phone: {rule: source_priority, sources: [web, crm]}
    address_line1: longest
    city: most_complete
`),
    );
    expect(g.provenance.email).toEqual({ source: 'erp', key: 'e1', rule: 'most_recent' });
    expect(g.values.phone).toBe('+61400000001');
    expect(g.values.address_line1).toBe('1 Short Street West');
    expect(g.provenance.address_line1!.rule).toBe('longest');
    // The erp record holds the most fields, so its city (same value, its provenance).
    expect(g.provenance.city).toEqual({ source: 'erp', key: 'e1', rule: 'only_value' });
    // The default rule with the global trust order: crm first.
    expect(g.provenance.full_name).toBeUndefined();
  });

  it('gives the same golden record whatever the order of the records', () => {
    const p = policyOf();
    expect(surviveGolden([...members].reverse(), p)).toEqual(surviveGolden(members, p));
  });

  it('rejects a trust order naming an unknown source, with its path', () => {
    expect(() => policyOf('survivorship: {source_priority: [erp, nope]}\n')).toThrow(/survivorship\.source_priority\[1\]: unknown source "nope"/);
  });

  it('stores provenance compactly, reads it back as it was, and reads the named form of earlier versions', () => {
    const g = surviveGolden(members, policyOf());
    const stored = encodeProvenance(g.provenance);
    expect(decodeProvenance(stored)).toEqual(g.provenance);
    const named = JSON.stringify(g.provenance);
    expect(stored.length).toBeLessThan(named.length / 2);
    expect(decodeProvenance(named)).toEqual(g.provenance);
    // A stored named form compares equal to the same provenance written now.
    expect(storedProvenanceText(named)).toBe(stored);
    expect(storedProvenanceText(stored)).toBe(stored);
    expect(encodeProvenance({})).toBe('[1,[],{}]');
  });

  it('writes provenance as the text stored before, for awkward sources and keys (unchanged customers compare equal)', () => {
    // The text as earlier versions wrote it: JSON of [1, records, fields].
    const earlier = (p: Record<string, { source: string; key: string; rule: string }>): string => {
      const records: [string, string][] = [];
      const fields: Record<string, [number, string]> = {};
      for (const [f, v] of Object.entries(p)) {
        let i = records.findIndex(([s, k]) => s === v.source && k === v.key);
        if (i < 0) i = records.push([v.source, v.key]) - 1;
        fields[f] = [i, ({ source_priority: 'p', most_recent: 'r', most_complete: 'c', most_frequent: 'f', longest: 'l', only_value: 'o' } as Record<string, string>)[v.rule]!];
      }
      return JSON.stringify([1, records, fields]);
    };
    const keys = ['1', 'say "hi"', 'back\\slash', '客户,7', 'nul\u0000x', 'line\nbreak', '\ud800lone', '😀'];
    const p = {
      email: { source: 'erp', key: keys[1]!, rule: 'most_frequent' },
      phone: { source: 'crm "x"', key: keys[2]!, rule: 'source_priority' },
      full_name: { source: 'erp', key: keys[1]!, rule: 'only_value' },
      company_name: { source: 'legacy', key: keys[3]!, rule: 'longest' },
      city: { source: 'legacy', key: keys[4]!, rule: 'most_recent' },
      country: { source: 'x', key: keys[5]!, rule: 'most_complete' },
      gender: { source: 'x', key: keys[6]!, rule: 'only_value' },
      birth_date: { source: 'x', key: keys[7]!, rule: 'only_value' },
    } as const;
    expect(encodeProvenance(p)).toBe(earlier(p));
    expect(decodeProvenance(encodeProvenance(p))).toEqual(p);
  });

  it('gives a customer of one record its values, each the only value, as the rules would', () => {
    const [one] = members;
    const g = surviveGolden([one!], policyOf());
    for (const f of Object.keys(g.values) as (keyof typeof g.values)[]) {
      expect(g.values[f]).toBe(one!.values[f] || null);
      expect(g.provenance[f]).toEqual(one!.values[f] ? { source: one!.source, key: one!.key, rule: 'only_value' } : undefined);
    }
    // The same as the general path gives a record and its copy (whose values all agree).
    const twice = surviveGolden([one!, { ...one!, key: `${one!.key}-copy` }], policyOf());
    expect(g.values).toEqual(twice.values);
  });
});
