/**
 * Adding a chunk's outcomes to its sweep's tables. Call only in the transaction that moved the chunk
 * from pending to done, so a retried or duplicated chunk adds nothing twice; merging is an upsert that
 * adds counts step by step (rows of one point are locked briefly, in point order).
 */
import { survivalEndpoints } from '@frontline/contracts';
import type pg from 'pg';
import type { OutcomeRecord } from '../outcome-columns.js';
import { pointCounts, stepCounts } from './chunk-tally.js';
import type { PointRecording } from './recording.js';

/** The merge of two sparse (key-ascending) count arrays, as SQL over the target row `t` and `excluded`. */
const mergedSparse = (keys: string, values: readonly string[]) => {
  const cols = [keys, ...values];
  const summed = values.map((v) => `sum(u.${v})::int4 as ${v}`).join(', ');
  return `(${cols.join(', ')}) = (
    select ${cols.map((c) => `array_agg(m.${c} order by m.${keys})`).join(', ')}
    from (select u.${keys}, ${summed}
          from (select * from unnest(${cols.map((c) => `t.${c}`).join(', ')})
                union all select * from unnest(${cols.map((c) => `excluded.${c}`).join(', ')})) as u(${cols.join(', ')})
          group by u.${keys}) as m)`;
};

const addedDense = (column: string) =>
  `${column} = array(select x + y from unnest(t.${column}, excluded.${column}) with ordinality as u(x, y, i) order by i)`;

const survivalUpsert = `
  insert into sweep_survival_tallies as t (tenant_id, sweep_id, endpoint, point_id, step_days, steps, events, censored)
  select s.tenant_id, s.id, e.endpoint, $2, $3, e.steps, e.events, e.censored
  from sweeps s, (values ${survivalEndpoints
    .map(
      (endpoint, i) => `('${endpoint}', $${4 + 3 * i}::int4[], $${5 + 3 * i}::int4[], $${6 + 3 * i}::int4[])`,
    )
    .join(', ')}) as e(endpoint, steps, events, censored)
  where s.id = $1
  on conflict (sweep_id, endpoint, point_id) do update set ${mergedSparse('steps', ['events', 'censored'])}`;

const pointUpsert = `
  insert into sweep_point_tallies as t (tenant_id, sweep_id, point_id, patients, cured, best_response, leader_bins,
    leader_counts, v2_patients, objective_responses, toxic_deaths, grade4_neutropenia, dosed_patients,
    dose_intensity_sum, recist_best_response)
  select s.tenant_id, s.id, $2, $3, $4, $5::int4[], $6::int4[], $7::int4[], $8, $9, $10, $11,
         cardinality($12::float8[]), (select coalesce(sum(v::numeric), 0) from unnest($12::float8[]) as v), $13::int4[]
  from sweeps s where s.id = $1
  on conflict (sweep_id, point_id) do update set
    patients = t.patients + excluded.patients,
    cured = t.cured + excluded.cured,
    ${addedDense('best_response')},
    ${mergedSparse('leader_bins', ['leader_counts'])},
    v2_patients = t.v2_patients + excluded.v2_patients,
    objective_responses = t.objective_responses + excluded.objective_responses,
    toxic_deaths = t.toxic_deaths + excluded.toxic_deaths,
    grade4_neutropenia = t.grade4_neutropenia + excluded.grade4_neutropenia,
    dosed_patients = t.dosed_patients + excluded.dosed_patients,
    dose_intensity_sum = t.dose_intensity_sum + excluded.dose_intensity_sum,
    ${addedDense('recist_best_response')}`;

/**
 * Add one point's outcomes of a chunk to its sweep's survival tables (every endpoint) and point summary.
 * Only in the transaction where the chunk moved pending → done (exactly once per chunk).
 */
export async function recordPointTallies(
  client: pg.ClientBase,
  recording: PointRecording,
  records: readonly OutcomeRecord[],
): Promise<void> {
  if (records.length === 0) return;
  const survival = survivalEndpoints.flatMap((endpoint) => {
    const counts = stepCounts(records, endpoint, recording.stepDays);
    return [counts.steps, counts.events, counts.censored];
  });
  await client.query(survivalUpsert, [recording.sweepId, recording.pointId, recording.stepDays, ...survival]);
  const c = pointCounts(records);
  await client.query(pointUpsert, [
    recording.sweepId,
    recording.pointId,
    c.patients,
    c.cured,
    c.bestResponse,
    c.leaderHistogram.bins,
    c.leaderHistogram.counts,
    c.v2Patients,
    c.objectiveResponses,
    c.toxicDeaths,
    c.grade4Neutropenia,
    c.doseIntensities,
    c.recistBestResponse,
  ]);
}
