import { describe, expect, it } from 'vitest';
import { matchRecords, toMatchRecord } from '../../../src/transforms/match/index.js';
import { COMPARISONS } from '../../../src/transforms/match/comparisons.js';
import { RecordViews, encodeRecords } from '../../../src/transforms/match/encoded.js';
import { PairScorer, termFrequenciesByValue } from '../../../src/transforms/match/model.js';
import type { CanonicalValues } from '../../../src/core/fields.js';

const GIVEN = ['james', 'mary', 'robert', 'patricia', 'john', 'jennifer', 'michael', 'linda', 'david', 'elizabeth', 'william', 'barbara', 'richard', 'susan', 'joseph', 'jessica'];
const FAMILY = ['smith', 'johnson', 'williams', 'brown', 'jones', 'garcia', 'miller', 'davis', 'rodriguez', 'martinez', 'hernandez', 'lopez', 'gonzalez', 'wilson', 'anderson', 'thomas', 'taylor', 'moore', 'jackson', 'martin'];
const STREETS = ['high street', 'station road', 'church lane', 'park avenue', 'victoria street', 'king street', 'queen road', 'mill lane'];

/** A deterministic population: 300 people, 100 of whom appear a second time with a typo. */
function population(): { values: CanonicalValues; entity: number }[] {
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
  const typo = (s: string): string => {
    const i = 1 + rnd(s.length - 2);
    return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
  };
  const people: { values: CanonicalValues; entity: number }[] = [];
  for (let e = 0; e < 300; e++) {
    const v: CanonicalValues = {
      given_name: GIVEN[rnd(GIVEN.length)]!,
      family_name: FAMILY[rnd(FAMILY.length)]!,
      birth_date: `19${50 + rnd(50)}-0${1 + rnd(9)}-1${rnd(10)}`,
      address_line1: `${1 + rnd(200)} ${STREETS[rnd(STREETS.length)]}`,
      postal_code: String(2000 + rnd(50)),
      email: `${GIVEN[rnd(GIVEN.length)]}.${e}@example.com`,
    };
    people.push({ values: v, entity: e });
    if (e % 3 === 0) {
      const dup = { ...v };
      const field = (['given_name', 'family_name', 'address_line1'] as const)[e % 2 ? 1 : rnd(3)]!;
      dup[field] = typo(v[field]!);
      if (rnd(2)) dup.email = null;
      people.push({ values: dup, entity: e });
    }
  }
  return people;
}

describe('matchRecords', () => {
  it('finds typo duplicates without labels and explains every link', async () => {
    const pop = population();
    const recs = pop.map((p, i) => toMatchRecord('s', String(i), p.values));
    const res = await matchRecords(recs, { linkThreshold: 0.9, reviewThreshold: 0.5, maxBlockSize: 1000 });
    let tp = 0;
    let fp = 0;
    for (let i = 0; i < pop.length; i++) {
      for (let j = i + 1; j < pop.length; j++) {
        if (res.clusterOf[i] !== res.clusterOf[j]) continue;
        if (pop[i]!.entity === pop[j]!.entity) tp++;
        else fp++;
      }
    }
    expect(tp).toBeGreaterThanOrEqual(98);
    expect(fp).toBe(0);
    const link = res.pairs.find((p) => p.decision === 'link')!;
    const ex = res.scorer.explain(recs[link.a]!, recs[link.b]!);
    expect(ex.probability).toBeGreaterThan(0.9);
    expect(ex.fields.find((f) => f.field === 'birth_date')).toMatchObject({ level: 'exact' });
    expect(ex.fields.find((f) => f.field === 'family_name')!.weight).toBeGreaterThan(0);
  });

  // A full match explains its pairs through views of the encoded records, reading each value's
  // term frequency by its dictionary entry: the same explanations as by value, with the same
  // adjustments, and records that are not views still scored by value.
  it('explains pairs by dictionary entry exactly as by value', async () => {
    const recs = population().map((p, i) => toMatchRecord('s', String(i), p.values));
    const enc = encodeRecords(recs);
    const res = await matchRecords(enc, { linkThreshold: 0.9, reviewThreshold: 0.5, maxBlockSize: 1000 });
    expect(res.termShares).toBeDefined();
    const byValue = new PairScorer(res.model, termFrequenciesByValue(res.termShares!), recs.length);
    const views = new RecordViews(enc);
    const [va, vb] = [views.view(), views.view()];
    let adjusted = 0;
    res.pairs.forEach((p, x) => {
      const got = res.scorer.explainStored(va.fill(p.a), vb.fill(p.b), res.pairLevels, x * COMPARISONS.length);
      const want = byValue.explainStored(recs[p.a]!, recs[p.b]!, res.pairLevels, x * COMPARISONS.length);
      expect(got).toEqual(want);
      expect(res.scorer.explainStored(recs[p.a]!, recs[p.b]!, res.pairLevels, x * COMPARISONS.length)).toEqual(want);
      adjusted += got.stored[3].filter((f) => f[2] === 1).length;
    });
    expect(res.pairs.length).toBeGreaterThanOrEqual(100);
    expect(adjusted).toBeGreaterThanOrEqual(res.pairs.length);
  });

  it('never links two records of a source declared duplicate-free', async () => {
    const v = { given_name: 'Anna', family_name: 'Lee', birth_date: '1980-01-01', email: 'anna@example.com' };
    const recs = [toMatchRecord('crm', '1', v), toMatchRecord('crm', '2', v), toMatchRecord('erp', '9', v)];
    const filler = population().map((p, i) => toMatchRecord('other', String(i), p.values));
    const res = await matchRecords([...recs, ...filler], { linkThreshold: 0.9, reviewThreshold: 0.5, maxBlockSize: 1000, uniqueSources: new Set(['crm']) });
    expect(res.clusterOf[0]).not.toBe(res.clusterOf[1]);
    expect([res.clusterOf[0], res.clusterOf[1]]).toContain(res.clusterOf[2]);
  });

  it('counts what a household shares once between two people, the street address apart between organisations', async () => {
    const pop = population();
    const recs = pop.map((p, i) => toMatchRecord('s', String(i), p.values));
    const res = await matchRecords(recs, { linkThreshold: 0.9, reviewThreshold: 0.5, maxBlockSize: 1000 });
    const home = { address_line1: '12 High Street', postal_code: '2001', city: 'Sydney', email: 'thelees@example.com' };
    const counted = (fields: { field: string; weight: number; countedWith?: string }[], names: string[]) => {
      const group = fields.filter((f) => names.includes(f.field));
      return { counted: group.filter((f) => f.countedWith === undefined && f.weight > 0).map((f) => f.field), folded: group.filter((f) => f.countedWith !== undefined) };
    };
    // Spouses: different first names; family name, address, city, postcode and e-mail are one fact.
    const spouse = res.scorer.explain(
      toMatchRecord('s', 'a', { given_name: 'Anna', family_name: 'Lee', ...home }),
      toMatchRecord('s', 'b', { given_name: 'Mark', family_name: 'Lee', ...home }),
    );
    const household = counted(spouse.fields, ['family_name', 'address', 'city', 'postal_code', 'email']);
    expect(household.counted).toHaveLength(1);
    expect(household.folded.length).toBe(4);
    expect(household.folded.every((f) => f.weight === 0)).toBe(true);
    // One person: the names agree, so family name and e-mail count; where they live counts once.
    const same = res.scorer.explain(
      toMatchRecord('s', 'a', { given_name: 'Anna', family_name: 'Lee', ...home }),
      toMatchRecord('s', 'b', { given_name: 'Anna', family_name: 'Lee', ...home }),
    );
    expect(counted(same.fields, ['family_name', 'email']).counted).toEqual(['family_name', 'email']);
    expect(counted(same.fields, ['address', 'city', 'postal_code']).counted).toHaveLength(1);
    expect(same.probability).toBeGreaterThan(spouse.probability);
    // Organisations: the street address counts on its own; city and postcode once.
    const sites = res.scorer.explain(
      toMatchRecord('s', 'c', { company_name: 'Harbour Logistics', ...home }),
      toMatchRecord('s', 'd', { company_name: 'Harbour Logistics Pty Ltd', ...home }),
    );
    expect(counted(sites.fields, ['address']).counted).toEqual(['address']);
    expect(counted(sites.fields, ['city', 'postal_code']).counted).toHaveLength(1);
  });
});
