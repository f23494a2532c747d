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
});

