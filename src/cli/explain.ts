import { CrmEtlError } from '../core/errors.js';
import type { RunContext } from '../pipeline/context.js';
import { loadStagedRecords } from '../pipeline/match-stage.js';
import type { Store } from '../store/store.js';
import { type BlockingRuleReport, type MatchModel, PairScorer, type PairScore, computeTermFrequencies, countWords, toMatchRecord } from '../transforms/match/index.js';
import { table } from './format.js';

/** The model of the latest run that trained one (or of the given run). */
export async function loadModel(store: Store, runId?: string): Promise<{ runId: string; model: MatchModel & { blocking?: BlockingRuleReport[] } }> {
  const q = store.knex('match_models').select('run_id', 'model');
  const row = (await (runId ? q.where({ run_id: runId }) : q.orderBy('run_id', 'desc')).first()) as { run_id: string; model: string } | undefined;
  if (!row) throw new CrmEtlError('NOT_FOUND', runId ? `run ${runId} has no match model` : 'no run has trained a match model yet: run `crm-etl run` first');
  return { runId: row.run_id, model: JSON.parse(row.model) as MatchModel & { blocking?: BlockingRuleReport[] } };
}

/** Renders a model: the prior and, per comparison and level, m, u and the weight in bits. */
export function formatModel(runId: string, model: MatchModel & { blocking?: BlockingRuleReport[] }): string {
  const rows: (string | number)[][] = [];
  for (const c of model.comparisons) {
    c.levels.forEach((level, l) => {
      const m = c.m[l]!;
      const u = c.u[l]!;
      rows.push([l === 0 ? c.name : '', level, Number(m.toFixed(4)), Number(u.toPrecision(3)), Number(Math.log2(m / u).toFixed(2))]);
    });
  }
  return [
    `Match model of run ${runId}: trained without labels on ${model.candidatePairs} candidate pairs and ${model.randomPairs} random pairs`,
    `Prior: two records drawn at random are the same customer with probability ${model.lambda.toPrecision(3)} (${Math.log2(model.lambda / (1 - model.lambda)).toFixed(2)} bits)`,
    '',
    table(['comparison', 'level', 'm', 'u', 'weight (bits)'], rows),
    '',
    'm: how often duplicates show the level; u: how often two random records do; weight = log2(m/u).',
    'Exact levels of names, dates, addresses and companies are adjusted by the value\'s frequency.',
    ...(model.blocking
      ? [
          '',
          'Blocking rules (candidate pairs are the union of what each rule produces):',
          table(
            ['rule', 'blocks', 'comparisons', 'oversized blocks skipped', 'largest skipped'],
            model.blocking.map((b) => [b.rule, b.blocks, b.comparisons, b.oversizedBlocks, b.largestOversized ?? 0]),
          ),
        ]
      : []),
  ].join('\n');
}

/** Parses `SOURCE:KEY` (the key may itself contain ':'). */
export function parseRecordRef(ref: string): { source: string; key: string } {
  const i = ref.indexOf(':');
  if (i <= 0 || i === ref.length - 1) throw new CrmEtlError('INPUT_INVALID', `"${ref}" is not SOURCE:KEY (e.g. erp:C10005)`);
  return { source: ref.slice(0, i), key: ref.slice(i + 1) };
}

/** Explains a pair with the latest model: each field's level and weight, and the sum. */
export async function explainPair(ctx: Pick<RunContext, 'store' | 'config'>, a: string, b: string): Promise<PairScore & { runId: string; a: string; b: string; namesSwapped: boolean }> {
  const { runId, model } = await loadModel(ctx.store);
  const staged = await loadStagedRecords(ctx as RunContext);
  const mrs = Array.from(staged, (r) => toMatchRecord(r.source, r.key, r.values));
  const find = (ref: string) => {
    const { source, key } = parseRecordRef(ref);
    const i = mrs.findIndex((r) => r.source === source && r.key === key);
    if (i < 0) throw new CrmEtlError('NOT_FOUND', `no staged record ${source}:${key}; check the source name and key (crm-etl export links lists them)`);
    return mrs[i]!;
  };
  const ra = find(a);
  const rb = find(b);
  const scorer = new PairScorer(model, computeTermFrequencies(mrs), mrs.length, { companyWords: countWords(mrs.map((r) => r.company)) });
  return { runId, a, b, ...scorer.explain(ra, rb) };
}

export function formatExplanation(e: Awaited<ReturnType<typeof explainPair>>): string {
  const prior = e.matchWeight - e.fields.reduce((s, f) => s + f.weight, 0);
  return [
    `${e.a} ~ ${e.b} (model of run ${e.runId})${e.namesSwapped ? ': given and family names compared crosswise' : ''}`,
    '',
    table(
      ['field', 'level', 'weight (bits)'],
      [['prior', 'two random records', Number(prior.toFixed(2))], ...e.fields.map((f) => [f.field, f.level + (f.termFrequencyAdjusted ? ' (value frequency)' : ''), f.weight])],
    ),
    '',
    `total ${e.matchWeight.toFixed(2)} bits → match probability ${e.probability.toFixed(4)}`,
  ].join('\n');
}
