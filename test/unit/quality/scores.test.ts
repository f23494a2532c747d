import { describe, expect, it } from 'vitest';
import { type QualityConfig, type QualityInput, type SourceDelivery, postcodeAgreesWithRegion, qualityRows, qualitySchema, scoreQuality, timelinessOf } from '../../../src/quality/index.js';
import { tallyRecords, tallyRecordsInTurns } from '../../../src/quality/scores.js';
import { RecordTable } from '../../../src/master/record-table.js';

const defaults: QualityConfig = qualitySchema.parse({});

function delivery(source: string, fields: string[], extra: Partial<SourceDelivery> = {}): SourceDelivery {
  return { source, fields, read: 0, malformed: 0, rowsWithRejects: 0, incremental: false, rejectedValues: {}, ...extra };
}

function input(partial: Partial<QualityInput> & Pick<QualityInput, 'deliveries' | 'records' | 'clusterOf'>): QualityInput {
  return { today: '2026-01-01', linkThreshold: 0.9, reviewThreshold: 0.5, ...partial };
}

describe('scoreQuality', () => {
  it('measures consistency only across sources within one customer, per field and source', () => {
    const q = scoreQuality(
      input({
        deliveries: [delivery('erp', ['birth_date', 'email']), delivery('crm', ['birth_date', 'email'])],
        records: [
          { source: 'erp', key: '1', values: { birth_date: '1980-01-02', email: 'a@x.com' } },
          { source: 'crm', key: 'A', values: { birth_date: '1980-01-02', email: 'b@x.com' } },
          // Same source, same customer: a duplicate, not a consistency comparison.
          { source: 'erp', key: '2', values: { birth_date: '1999-09-09', email: 'a@x.com' } },
          // Another customer with one record: nothing to compare.
          { source: 'crm', key: 'B', values: { birth_date: '1970-01-01', email: 'c@x.com' } },
        ],
        clusterOf: [0, 0, 0, 1],
      }),
      defaults,
    );
    const erp = q.sources.find((s) => s.source === 'erp')!;
    // erp#1 vs crm#A agrees on birth date; erp#2 vs crm#A disagrees. Both disagree on e-mail.
    expect(erp.fields.birth_date!.dimensions.consistency).toEqual({ score: 50, measured: 2 });
    expect(erp.fields.email!.dimensions.consistency).toEqual({ score: 0, measured: 2 });
    expect(erp.dimensions.consistency).toEqual({ score: 25, measured: 4 });
    // Uniqueness: erp has 2 records in 1 customer.
    expect(erp.duplicates).toBe(1);
    expect(erp.duplicateRate).toBe(0.5);
    expect(erp.dimensions.uniqueness).toEqual({ score: 50, measured: 2 });
    expect(q.sources.find((s) => s.source === 'crm')!.duplicateRate).toBe(0);
  });

  it('counts a rejected value as present but invalid, and does not score completeness of optional fields', () => {
    const recs = [
      { source: 's', key: '1', values: { email: 'a@x.com', company_name: null } },
      { source: 's', key: '2', values: { email: null, company_name: 'Acme' } },
      { source: 's', key: '3', values: { email: null, company_name: null } },
      { source: 's', key: '4', values: { email: 'd@x.com', company_name: null } },
    ];
    const q = scoreQuality(input({ deliveries: [delivery('s', ['email', 'company_name'], { read: 5, malformed: 1, rowsWithRejects: 1, rejectedValues: { email: 1 } })], records: recs, clusterOf: [0, 1, 2, 3] }), defaults);
    const s = q.sources[0]!;
    expect(s.fields.email!.dimensions.completeness).toEqual({ score: 75, measured: 4 });
    expect(s.fields.email!.dimensions.validity).toEqual({ score: 66.7, measured: 3 });
    expect(s.fields.company_name!.dimensions.completeness).toBeUndefined();
    expect(s.fields.company_name!.dimensions.validity).toEqual({ score: 100, measured: 1 });
    // One malformed row and one row with a rejected value out of five read.
    expect(s.rejectedRows).toBe(2);
    expect(s.rejectRate).toBe(0.4);
    expect(q.rejectRate).toBe(0.4);
  });

  it('weights the dimensions that were measured, with configurable weights', () => {
    const recs = [
      { source: 's', key: '1', values: { email: 'a@x.com' } },
      { source: 's', key: '2', values: { email: null } },
    ];
    const base = input({ deliveries: [delivery('s', ['email'])], records: recs, clusterOf: [0, 1] });
    // Completeness 50, validity 100, uniqueness 100; no consistency, timeliness or accuracy.
    const q = scoreQuality(base, defaults);
    expect(q.sources[0]!.fields.email!.score).toBeCloseTo((50 * 0.2 + 100 * 0.25) / 0.45, 1);
    expect(q.sources[0]!.score).toBeCloseTo((50 * 0.2 + 100 * 0.25 + 100 * 0.15) / 0.6, 1);
    const onlyCompleteness = qualitySchema.parse({ weights: { completeness: 1, validity: 0, uniqueness: 0, consistency: 0, timeliness: 0, accuracy: 0 } });
    expect(scoreQuality(base, onlyCompleteness).overall).toBe(50);
  });

  it('scores timeliness from source_updated_at against the run date, linearly between fresh and stale', () => {
    const t = { fresh_days: 100, stale_days: 300 };
    expect(timelinessOf('2025-12-01T10:00:00', '2026-01-01', t)).toBe(1);
    expect(timelinessOf('2025-06-15', '2026-01-01', t)).toBeCloseTo(1 - (200 - 100) / 200, 5);
    expect(timelinessOf('2020-01-01', '2026-01-01', t)).toBe(0);
    expect(timelinessOf('2027-01-01', '2026-01-01', t)).toBe(1);
    expect(timelinessOf('yesterday', '2026-01-01', t)).toBeUndefined();
    const q = scoreQuality(
      input({
        deliveries: [delivery('s', ['source_updated_at'])],
        records: [
          { source: 's', key: '1', values: { source_updated_at: '2025-12-31' } },
          { source: 's', key: '2', values: { source_updated_at: '2010-01-01' } },
          { source: 's', key: '3', values: {} },
        ],
        clusterOf: [0, 1, 2],
      }),
      defaults,
    );
    expect(q.sources[0]!.dimensions.timeliness).toEqual({ score: 50, measured: 2 });
    expect(q.sources[0]!.fields.source_updated_at!.dimensions.timeliness).toEqual({ score: 50, measured: 2 });
  });

  it('measures accuracy only where reference data exists (Australian postcodes against their state)', () => {
    expect(postcodeAgreesWithRegion('2000', 'NSW', 'AU')).toBe(true);
    expect(postcodeAgreesWithRegion('0800', 'Northern Territory', 'AU')).toBe(true);
    expect(postcodeAgreesWithRegion('2000', 'VIC', 'AU')).toBe(false);
    expect(postcodeAgreesWithRegion('SW1A 1AA', 'London', 'GB')).toBeUndefined();
    expect(postcodeAgreesWithRegion('2000', 'Atlantis', 'AU')).toBeUndefined();
    const q = scoreQuality(
      input({
        deliveries: [delivery('au', ['postal_code', 'region'], { country: 'AU' }), delivery('gb', ['postal_code', 'region'], { country: 'GB' })],
        records: [
          { source: 'au', key: '1', values: { postal_code: '2000', region: 'NSW' } },
          { source: 'au', key: '2', values: { postal_code: '3000', region: 'NSW' } },
          // The record's own country wins over the source's default.
          { source: 'au', key: '3', values: { postal_code: '10001', region: 'NY', country: 'US' } },
          { source: 'gb', key: '1', values: { postal_code: 'SW1A 1AA', region: 'London' } },
        ],
        clusterOf: [0, 1, 2, 3],
      }),
      defaults,
    );
    expect(q.sources[0]!.fields.postal_code!.dimensions.accuracy).toEqual({ score: 50, measured: 2 });
    expect(q.sources[1]!.dimensions.accuracy).toBeUndefined();
    expect(q.dimensions.accuracy).toEqual({ score: 50, measured: 2 });
  });

  it('keeps cluster sizes, the largest clusters and the probability histogram for the dedupe report', () => {
    const q = scoreQuality(
      input({
        deliveries: [delivery('s', ['email'])],
        records: ['1', '2', '3', '4', '5', '6'].map((key) => ({ source: 's', key, values: {} })),
        clusterOf: [0, 0, 0, 1, 1, 2],
        probabilityHistogram: [5, ...new Array<number>(18).fill(0), 2],
      }),
      defaults,
    );
    expect(q.dedupe.clusterSizes).toEqual({ '1': 1, '2': 1, '3': 1 });
    expect(q.dedupe.largestClusters.map((c) => c.size)).toEqual([3, 2]);
    expect(q.dedupe.largestClusters[0]!.members.map((m) => m.key)).toEqual(['1', '2', '3']);
    expect(q.dedupe.probabilityHistogram![19]).toBe(2);
    // Rows for the quality_scores table: every measured dimension plus a score per subject.
    const rows = qualityRows(q);
    expect(rows).toContainEqual({ source: 's', field: '*', dimension: 'uniqueness', score: 50, measured: 6 });
    expect(rows).toContainEqual({ source: '*', field: '*', dimension: 'score', score: q.overall, measured: null });
  });
});

describe('tallyRecordsInTurns', () => {
  it('tallies what tallyRecords does, giving the event loop turns on the way (a full run writes its match index meanwhile)', async () => {
    // 25,000 records of two sources, in customers of one to three records.
    const records = Array.from({ length: 25_000 }, (_, i) => ({
      source: i % 3 === 0 ? 'crm' : 'erp',
      key: String(i),
      values: { email: i % 7 ? `p${Math.floor(i / 3)}@x.com` : null, birth_date: `19${50 + (i % 40)}-01-0${1 + (i % 9)}`, source_updated_at: `2025-0${1 + (i % 9)}-15` },
    }));
    const clusterOf = records.map((_, i) => Math.floor(i / 3) * 2 + (i % 5 === 0 ? 1 : 0));
    const deliveries = [delivery('erp', ['email', 'birth_date', 'source_updated_at']), delivery('crm', ['email', 'birth_date', 'source_updated_at'])];
    const expected = tallyRecords({ deliveries, records, clusterOf }, defaults);
    // Counts the turns of the event loop while the tally runs.
    let turns = 0;
    let ticking = true;
    const tick = (): void => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    try {
      const got = await tallyRecordsInTurns({ deliveries, records, clusterOf }, defaults);
      expect(got).toEqual(expected);
    } finally {
      ticking = false;
    }
    expect(expected.sources.get('crm')!.consistency.get('email')!.measured).toBeGreaterThan(1000);
    // A timer ran between steps: the tally did not hold the thread from start to end.
    expect(turns).toBeGreaterThan(0);
  });
});

describe('tallyRecords of a full run\'s record table', () => {
  it('counts from the packed records what it counts from the same records unpacked', () => {
    const regions = ['NSW', 'VIC', 'QLD', null];
    const recs = Array.from({ length: 3_000 }, (_, i) => ({
      source: ['erp', 'crm', 'legacy'][i % 3]!,
      key: `K${i}`,
      line: i,
      values: {
        // Records paired in one customer agree on their e-mail now and then.
        email: i % 4 ? `p${i % 10 === 1 ? i - 1 : i}@x.com` : null,
        phone: i % 5 ? null : `+6129${String(i).padStart(6, '0')}`,
        postal_code: i % 6 ? String(2000 + (i % 2000)) : null,
        region: regions[i % 4]!,
        // Some records say their country, the others take their source's.
        country: i % 7 === 0 ? 'NZ' : i % 2 ? 'AU' : null,
        source_updated_at: i % 11 ? `2025-0${1 + (i % 9)}-15T10:00:00Z` : 'someday',
        // A value packing cannot give back: that record is kept whole.
        address_line1: i % 97 === 0 ? 'a\u0001b' : `${i} High St`,
      },
    }));
    const config = { sources: [{ name: 'erp' }, { name: 'crm' }, { name: 'legacy' }] } as unknown as Parameters<ReturnType<typeof RecordTable.builder>['build']>[0];
    const b = RecordTable.builder();
    for (const r of recs) b.add(r);
    const table = b.build(config);
    // 'legacy' is not delivered this run; 'crm' maps a field that is not a canonical one.
    const deliveries = [delivery('erp', ['email', 'phone', 'postal_code', 'region', 'address_line1', 'source_updated_at'], { country: 'AU' }), delivery('crm', ['email', 'postal_code', 'nickname'])];
    // The table holds its records by source, then line: customer k has the k-th record of each.
    const clusterOf = Array.from({ length: table.length }, (_, i) => (i % 1_000) + (i % 1_000 === 7 && i >= 2_000 ? 1_000 : 0));
    const packed = tallyRecords({ deliveries, records: table, clusterOf }, defaults);
    const unpacked = tallyRecords({ deliveries, records: Array.from(table), clusterOf }, defaults);
    expect(packed).toEqual(unpacked);
    const erp = packed.sources.get('erp')!;
    expect(erp.records).toBe(1_000);
    expect(erp.accuracy.measured).toBeGreaterThan(100);
    expect(erp.updatedDays.size).toBe(3);
    expect(erp.present.address_line1).toBe(1_000);
    // Consistency across the sources of a customer, its members read from their packed parts.
    const email = packed.sources.get('crm')!.consistency.get('email')!;
    expect(email.measured).toBeGreaterThan(300);
    expect(email.good).toBeGreaterThan(0);
    expect(email.good).toBeLessThan(email.measured);
  });
});
