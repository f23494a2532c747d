import { matchRecords, toMatchRecord } from '../src/transforms/match/index.js';
import type { CanonicalValues } from '../src/core/fields.js';
const GIVEN = ['james', 'mary', 'robert', 'patricia', 'john', 'jennifer', 'michael', 'linda', 'david', 'elizabeth', 'william', 'barbara', 'richard', 'susan', 'joseph', 'jessica'];
const FAMILY = ['smith', 'johnson', 'williams', 'brown', 'jones', 'garcia', 'miller', 'davis', 'rodriguez', 'martinez', 'hernandez', 'lopez', 'gonzalez', 'wilson', 'anderson', 'thomas', 'taylor', 'moore', 'jackson', 'martin'];
const STREETS = ['high street', 'station road', 'church lane', 'park avenue', 'victoria street', 'king street', 'queen road', 'mill lane'];

/** A deterministic population: 300 people, 100 of whom appear a second time with a typo. */
function population(): { values: CanonicalValues; entity: number }[] {
  let s = 42;
  const rnd = (n: number) => ((s = (s * 1103515245 + 12345) % 2147483648), s % n);
  const people: { values: CanonicalValues; entity: number }[] = [];
  for (let e = 0; e < 300; e++) {
    const v: CanonicalValues = {
      given_name: GIVEN[rnd(GIVEN.length)]!,
      family_name: FAMILY[rnd(FAMILY.length)]!,
      birth_date: `19${50 + rnd(50)}-0${1 + rnd(9)}-1${rnd(10)}`,
      address_line1: `${1 + rnd(200)} ${STREETS[rnd(STREETS.length)]}`,
      postal_code: String(2000 + rnd(50)),
      email: `p${e}@example.com`,
    };
    people.push({ values: v, entity: e });
    if (e % 3 === 0) {
      const typo = { ...v, family_name: v.family_name!.slice(0, 2) + v.family_name!.slice(3), email: null };
      people.push({ values: typo, entity: e });
    }
  }
  return people;
}
const pop = population();
const recs = pop.map((p, i) => toMatchRecord('s', String(i), p.values));
const res = matchRecords(recs, { linkThreshold: 0.9, reviewThreshold: 0.5, maxBlockSize: 1000 });
console.log(res.model.lambda, res.candidatePairs, res.model.iterations, res.pairs.length, res.refusedMerges);
for (const c of res.model.comparisons) console.log(c.name, c.m.map((m, l) => `${c.levels[l]!.slice(0, 10)}:${m.toFixed(3)}/${c.u[l]!.toFixed(4)}=${Math.log2(m / c.u[l]!).toFixed(1)}`).join(' '));
for (let i = 0; i < pop.length; i++) for (let j = i + 1; j < pop.length; j++) if (res.clusterOf[i] === res.clusterOf[j] && pop[i]!.entity !== pop[j]!.entity) console.log(JSON.stringify(pop[i]), JSON.stringify(pop[j]), JSON.stringify(res.scorer.explain(recs[i]!, recs[j]!)));
