import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import { type QualityScores, type SourceQuality, detectAnomalies, evaluateGates, qualitySchema } from '../../../src/quality/index.js';

function source(name: string, over: Partial<SourceQuality> = {}): SourceQuality {
  return { source: name, records: 100, read: 100, fullRead: true, rejectedRows: 2, rejectRate: 0.02, duplicates: 1, duplicateRate: 0.01, score: 90, dimensions: {}, fields: { email: { score: 95, dimensions: { validity: { score: 95, measured: 100 } } } }, ...over };
}

function scores(sources: SourceQuality[], overall = 90): QualityScores {
  return {
    overall,
    dimensions: {},
    fields: { email: { score: 95, dimensions: { validity: { score: 95, measured: 200 } } } },
    bySource: Object.fromEntries(sources.map((s) => [s.source, s.score])),
    rejectRate: sources.reduce((n, s) => n + s.rejectedRows, 0) / sources.reduce((n, s) => n + s.read, 0),
    sources,
    dedupe: { clusterSizes: {}, largestClusters: [], linkThreshold: 0.9, reviewThreshold: 0.5 },
  };
}

const thresholds = qualitySchema.parse({}).anomalies;

describe('evaluateGates', () => {
  it('fails each gate that is not met, names it by its configuration path, and passes the rest', () => {
    const gates = qualitySchema.parse({
      gates: { min_overall: 85, max_reject_rate: 0.005, fields: { email: 96, phone: 50 }, sources: { erp: { min_score: 80, max_duplicate_rate: 0.005, min_records: 150, fields: { email: 90 } }, gone: { min_score: 1 } } },
    }).gates;
    const r = evaluateGates(scores([source('erp'), source('crm', { rejectedRows: 0, rejectRate: 0 })]), gates);
    expect(r.passed).toBe(false);
    expect(r.failed.map((f) => f.gate).sort()).toEqual([
      'quality.gates.fields.email',
      'quality.gates.max_reject_rate',
      'quality.gates.sources.erp.max_duplicate_rate',
      'quality.gates.sources.erp.min_records',
    ]);
    expect(r.failed.find((f) => f.gate === 'quality.gates.sources.erp.min_records')!.message).toBe('source erp delivered 100 records, fewer than the minimum 150');
    // phone is mapped by no source of the run; "gone" was not in the run.
    expect(r.notApplicable.sort()).toEqual(['quality.gates.fields.phone', 'quality.gates.sources.gone']);
    expect(r.checked).toBe(7);
  });

  it('passes a run with no gates configured', () => {
    expect(evaluateGates(scores([source('erp')]), qualitySchema.parse({}).gates)).toEqual({ passed: true, checked: 0, failed: [], notApplicable: [] });
  });

  it('does not count records on an incremental read', () => {
    const gates = qualitySchema.parse({ gates: { sources: { erp: { min_records: 1000 } } } }).gates;
    const r = evaluateGates(scores([source('erp', { fullRead: false, read: 3 })]), gates);
    expect(r).toMatchObject({ passed: true, checked: 0, notApplicable: ['quality.gates.sources.erp.min_records'] });
  });

  it('rejects a gate on a source the configuration does not have, and unknown keys', () => {
    const base = { sources: [{ name: 'erp', kind: 'csv', path: 'a.csv', key: 'id', mapping: { email: 'mail' } }] };
    const bad = configSchema.safeParse({ ...base, quality: { gates: { sources: { epr: { min_score: 50 } } } } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.message).toMatch(/no source is named "epr"; the sources are: erp/);
    expect(configSchema.safeParse({ ...base, quality: { gates: { min_overal: 50 } } }).success).toBe(false);
    expect(configSchema.safeParse({ ...base, quality: { gates: { min_overall: 50 } } }).success).toBe(true);
  });
});

describe('detectAnomalies', () => {
  it('flags a score drop beyond the threshold, a surge of rejects or duplicates, and a source delivering far fewer records', () => {
    const before = scores([source('erp'), source('crm')], 90);
    const after = scores(
      [
        source('erp', { score: 80, read: 40, records: 40, rejectedRows: 4, rejectRate: 0.1 }),
        source('crm', { score: 88, duplicates: 10, duplicateRate: 0.1 }),
      ],
      84,
    );
    const kinds = detectAnomalies(after, before, thresholds).map((a) => `${a.kind}:${a.source}`);
    expect(kinds.sort()).toEqual(['duplicate_surge:crm', 'reject_surge:erp', 'score_drop:*', 'score_drop:erp', 'volume_drop:erp']);
    // crm fell 2 points: within the default threshold of 5.
    expect(detectAnomalies(after, before, { ...thresholds, score_drop: 10 }).map((a) => a.kind)).not.toContain('score_drop');
  });

  it('does not compare volumes of incremental reads, nor flag small rises in rates', () => {
    const before = scores([source('erp', { rejectRate: 0.3 })]);
    const after = scores([source('erp', { fullRead: false, read: 5, rejectRate: 0.33 })]);
    expect(detectAnomalies(after, before, thresholds)).toEqual([]);
    expect(detectAnomalies(after, undefined, thresholds)).toEqual([]);
  });
});
