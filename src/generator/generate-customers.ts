import { z } from 'zod';
import { Population, SINCE_DAYS, type Entity } from './population.js';
import { deriveSeed, Rng } from './prng.js';
import { KeyAllocator, RENDERERS, SOURCE_LAYOUTS, SOURCE_NAMES, type SourceName, type View } from './sources.js';
import { applyDirt, applyRowTypos, applyVariations } from './variations.js';

export const generateOptionsSchema = z.object({
  /** Source rows to generate, all sources together. */
  records: z.number().int().positive(),
  /** Same seed, same rows, byte for byte. Default 1. */
  seed: z.number().int().default(1),
  /** Sources to generate (default all three: erp, crm, legacy). */
  sources: z.array(z.enum(SOURCE_NAMES)).min(1).default([...SOURCE_NAMES]),
  /** Share of entities that appear 2–4 times (within and across sources). Default 0.3. */
  duplicateRate: z.number().min(0).max(0.95).default(0.3),
  /** Share of rows with one dirty value (invalid e-mail, placeholder phone, impossible date…). Default 0.015. */
  dirtyRate: z.number().min(0).max(1).default(0.015),
  /** Share of entities that are companies. Default 0.1. */
  companyRate: z.number().min(0).max(1).default(0.1),
  /**
   * Share of draws that produce a hard negative: a spouse or twin at the same address, a son
   * with his father's name and address, or a namesake born the same year. Default 0.05.
   */
  hardNegativeRate: z.number().min(0).max(1).default(0.05),
  /**
   * A customer entered twice in one system is entered again later: such a row is written a
   * random 1 to `spread` rows after its source's previous row of the entity. Default 50,000 (only
   * those rows are held back, so memory stays flat).
   */
  spread: z.number().int().min(1).default(50_000),
});
/** Options of `generateCustomers`; only `records` is required. */
export type GenerateOptions = z.input<typeof generateOptionsSchema>;

/** One generated source row. */
export interface GeneratedRow {
  source: SourceName;
  /** The row's key (the value of its key column). */
  key: string;
  /** The true entity ("E0000042"); rows of one entity are duplicates of each other. */
  entity: string;
  /** `original` for an entity's first row, `duplicate` for the others. */
  role: 'original' | 'duplicate';
  /** Values in the order of `SOURCE_LAYOUTS[source].columns` (unpadded). */
  values: readonly string[];
  /**
   * What this row does differently: variations ("nickname", "typo:last_name", "moved",
   * "married", "email:plus-tag", …), dirt ("dirt:phone-placeholder"), hard-negative tags
   * ("hard:twin-of:E0000012").
   */
  notes: readonly string[];
}

/** Counts of a generated data set. */
export interface GenerateSummary {
  records: number;
  rows: Record<SourceName, number>;
  entities: number;
  people: number;
  companies: number;
  /** Entities with two or more rows. */
  duplicatedEntities: number;
  /** Unordered pairs of rows of the same entity. */
  truePairs: number;
  pairsWithinSource: number;
  pairsAcrossSources: number;
  /** Hard negatives by kind (spouse, twin, son, namesake): entities made to resemble another. */
  hardNegatives: Record<string, number>;
  /** Rows carrying each variation (notes without their detail after ":"). */
  variations: Record<string, number>;
  /** Rows carrying each kind of dirty value. */
  dirt: Record<string, number>;
}

const SOURCE_WEIGHT: Readonly<Record<SourceName, number>> = { erp: 0.45, crm: 0.33, legacy: 0.22 };

interface Pending {
  source: SourceName;
  entity: string;
  role: 'original' | 'duplicate';
  values: string[];
  notes: string[];
}

/**
 * Rows held back until their source has written `due` rows: a binary min-heap on (due, order of
 * arrival), so that the output does not depend on heap internals.
 */
class DelayQueue {
  private readonly heap: { due: number; seq: number; item: Pending }[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(due: number, item: Pending): void {
    const h = this.heap;
    h.push({ due, seq: this.seq++, item });
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** The earliest item if due at `now` (or any item when `now` is Infinity), else undefined. */
  pop(now: number): Pending | undefined {
    const h = this.heap;
    const top = h[0];
    if (!top || top.due > now) return undefined;
    const last = h.pop() as (typeof h)[number];
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(l, m)) m = l;
        if (r < h.length && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top.item;
  }

  private less(a: number, b: number): boolean {
    const x = this.heap[a] as { due: number; seq: number };
    const y = this.heap[b] as { due: number; seq: number };
    return x.due < y.due || (x.due === y.due && x.seq < y.seq);
  }

  private swap(a: number, b: number): void {
    const h = this.heap;
    const t = h[a] as (typeof h)[number];
    h[a] = h[b] as (typeof h)[number];
    h[b] = t;
  }
}

/**
 * A record's view of its entity, built field by field: one fixed object shape, which keeps V8 on
 * its fast path (an object spread of the 30-field entity plus the view's fields was ~50x slower).
 */
function makeView(e: Entity, source: SourceName, updated: number): View {
  return {
    id: e.id, seq: e.seq, kind: e.kind, cc: e.cc, culture: e.culture, gender: e.gender, given: e.given, middle: e.middle,
    family: e.family, zh: e.zh, suffix: e.suffix, company: e.company, companyT: e.companyT, companyEn: e.companyEn,
    legal: e.legal, contactGiven: e.contactGiven, contactFamily: e.contactFamily, dob: e.dob, addr: e.addr,
    mobile: e.mobile, landline: e.landline, email: e.email, since: e.since, hard: e.hard,
    source, notes: e.hard ? [`hard:${e.hard}`] : [], phonePref: '', phoneRaw: null, dobRaw: null, emailRaw: null,
    postcodeRaw: null, latin: false, givenSplit: false, showMiddle: '', initialOnly: false, dropAddress: false,
    addrAlt: false, accents: '', updated, typos: 0, companyName: null,
  };
}

function count(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

/**
 * Streams a synthetic multi-source customer data set: rows of the `erp`, `crm` and `legacy`
 * sources (see `SOURCE_LAYOUTS`), interleaved, each with its true entity. About `duplicateRate`
 * of the entities appear 2–4 times with realistic variation; hard negatives, dirty values, Zipf
 * name frequencies and Chinese names in three scripts make it hard in the ways real data is.
 *
 * Deterministic for a seed; memory stays flat (only rows that repeat an entity in the same
 * source are held back, a few thousand); a few µs per row. The generator's return value is the summary.
 */
export function* generateCustomers(options: GenerateOptions): Generator<GeneratedRow, GenerateSummary, undefined> {
  const o = generateOptionsSchema.parse(options);
  const sources = SOURCE_NAMES.filter((s) => o.sources.includes(s));
  const rng = new Rng(deriveSeed(o.seed, 1));
  const orderRng = new Rng(deriveSeed(o.seed, 2));
  const pop = new Population({
    rng,
    seed: o.seed,
    capacity: o.records,
    companyRate: o.companyRate,
    ...(sources.length === 1 && sources[0] === 'legacy' ? { countries: ['AU'] as const } : {}),
  });
  const keys = new KeyAllocator();
  const delayed: Record<SourceName, DelayQueue> = { erp: new DelayQueue(), crm: new DelayQueue(), legacy: new DelayQueue() };
  const written: Record<SourceName, number> = { erp: 0, crm: 0, legacy: 0 };
  const summary: GenerateSummary = {
    records: 0, rows: { erp: 0, crm: 0, legacy: 0 }, entities: 0, people: 0, companies: 0, duplicatedEntities: 0,
    truePairs: 0, pairsWithinSource: 0, pairsAcrossSources: 0, hardNegatives: {}, variations: {}, dirt: {},
  };
  // Rows per note; folded into the summary's variation and dirt counts at the end.
  const noteCounts = new Map<string, number>();
  const ready: Pending[] = [];
  // Rows in `ready` per source, not yet written.
  const queued: Record<SourceName, number> = { erp: 0, crm: 0, legacy: 0 };
  let scheduled = 0;

  const finish = (p: Pending): GeneratedRow => {
    const layout = SOURCE_LAYOUTS[p.source];
    written[p.source]++;
    const key = keys.next(p.source, orderRng);
    p.values[layout.keyIndex] = key;
    return { source: p.source, key, entity: p.entity, role: p.role, values: p.values, notes: p.notes };
  };

  const drawGroup = (): Entity[] => {
    const r = rng.next();
    if (r < o.hardNegativeRate) {
      const h = r / o.hardNegativeRate;
      if (h >= 0.65) {
        const base = pop.recentPerson();
        if (base) return [pop.namesakeOf(base)];
      }
      const a = pop.drawPerson();
      if (h < 0.45) return [a, pop.spouseOf(a)];
      if (h < 0.55) return [a, pop.twinOf(a)];
      const son = pop.sonOf(a);
      return son ? [a, son] : [a];
    }
    return [pop.draw()];
  };

  const eligibleAu = sources;
  const eligibleForeign = sources.filter((s) => s !== 'legacy');
  const chooseSources = (e: Entity, n: number): SourceName[] => {
    // The legacy system holds Australians only.
    const eligible = e.cc === 'AU' ? eligibleAu : eligibleForeign;
    const out: SourceName[] = [];
    for (let i = 0; i < n && eligible.length; i++) {
      let pool = eligible;
      // Most duplicates are the same customer in another system; some are entered twice in one.
      if (i > 0 && rng.chance(0.72)) {
        const unused = eligible.filter((s) => !out.includes(s));
        if (unused.length) pool = unused;
      }
      let total = 0;
      for (const s of pool) total += SOURCE_WEIGHT[s];
      let x = rng.next() * total;
      let pick = pool[0] as SourceName;
      for (const s of pool) {
        if ((x -= SOURCE_WEIGHT[s]) < 0) {
          pick = s;
          break;
        }
      }
      out.push(pick);
    }
    return out;
  };

  const schedule = (e: Entity): void => {
    let n = 1;
    if (rng.chance(o.duplicateRate)) {
      const r = rng.next();
      n = r < 0.68 ? 2 : r < 0.9 ? 3 : 4;
    }
    n = Math.min(n, o.records - scheduled);
    const targets = chooseSources(e, n);
    if (targets.length === 0) return;
    scheduled += targets.length;
    summary.entities++;
    if (e.kind === 'person') summary.people++;
    else summary.companies++;
    if (e.hard) count(summary.hardNegatives, e.hard.slice(0, e.hard.indexOf('-of:')));
    if (targets.length > 1) {
      summary.duplicatedEntities++;
      summary.truePairs += (targets.length * (targets.length - 1)) / 2;
      for (let i = 0; i < targets.length; i++) {
        for (let j = i + 1; j < targets.length; j++) {
          if (targets[i] === targets[j]) summary.pairsWithinSource++;
          else summary.pairsAcrossSources++;
        }
      }
    }
    targets.forEach((source, i) => {
      const role = i === 0 ? 'original' : 'duplicate';
      // The first record is touched soon after the customer arrives; others at any later time.
      const left = SINCE_DAYS - e.since;
      const v = makeView(e, source, e.since + (i === 0 ? rng.below(Math.min(300, left)) : rng.below(left)));
      // The old client system rarely captured e-mail addresses.
      if (source === 'legacy' && rng.chance(0.4)) v.email = '';
      if (role === 'duplicate') {
        const r = rng.next();
        applyVariations(v, r < 0.55 ? 1 : r < 0.88 ? 2 : 3, pop, rng);
      }
      if (rng.chance(o.dirtyRate)) applyDirt(v, rng);
      const layout = SOURCE_LAYOUTS[source];
      const values = RENDERERS[source](v, rng);
      if (v.typos) applyRowTypos(values, v.typos, layout, e.kind === 'company', v.notes, rng);
      if (layout.widths) {
        for (let c = 0; c < values.length; c++) {
          const w = layout.widths[c] as number;
          const val = values[c] as string;
          if (val.length > w) {
            values[c] = val.slice(0, w).trimEnd();
            v.notes.push(`cut:${layout.columns[c]}`);
          }
        }
      }
      summary.rows[source]++;
      summary.records++;
      for (const note of v.notes) {
        // Hard-negative tags name an entity: counted per entity above, not here (the map stays small).
        if (!note.startsWith('hard:')) noteCounts.set(note, (noteCounts.get(note) ?? 0) + 1);
      }
      const pending: Pending = { source, entity: e.id, role, values, notes: v.notes };
      // A second record in the same source comes later in that source's file.
      if (targets.indexOf(source) < i) delayed[source].push(written[source] + queued[source] + 1 + orderRng.below(o.spread), pending);
      else {
        ready.push(pending);
        queued[source]++;
      }
    });
  };

  while (scheduled < o.records) {
    for (const e of drawGroup()) {
      if (scheduled >= o.records) break;
      schedule(e);
    }
    for (let i = 0; i < ready.length; i++) {
      const p = ready[i] as Pending;
      queued[p.source]--;
      yield finish(p);
      const q = delayed[p.source];
      for (let d = q.pop(written[p.source]); d; d = q.pop(written[p.source])) yield finish(d);
    }
    ready.length = 0;
  }
  for (const s of sources) {
    for (let p = delayed[s].pop(Infinity); p; p = delayed[s].pop(Infinity)) yield finish(p);
  }
  for (const [note, n] of noteCounts) {
    const colon = note.indexOf(':');
    if (note.startsWith('dirt:')) summary.dirt[note.slice(5)] = (summary.dirt[note.slice(5)] ?? 0) + n;
    else {
      const kind = colon < 0 ? note : note.slice(0, colon);
      summary.variations[kind] = (summary.variations[kind] ?? 0) + n;
    }
  }
  return summary;
}
