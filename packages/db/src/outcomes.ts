import type { PatientOutcome } from '@frontline/sim';
import type pg from 'pg';
import { bestResponseCodes } from './schema.js';

/** A patient outcome as the model returns it (MODEL.md §7 field names); the trajectory is not stored. */
export type OutcomeRecord = Omit<PatientOutcome, 'trajectory'>;

const columns: [name: string, type: string, value: (o: OutcomeRecord) => unknown][] = [
  ['cohort_seed', 'int8', (o) => o.cohortSeed],
  ['patient_index', 'int4', (o) => o.patientIndex],
  ['os_days', 'float8', (o) => o.osDays],
  ['os_event', 'bool', (o) => o.osEvent],
  ['pfs_days', 'float8', (o) => o.pfsDays],
  ['pfs_event', 'bool', (o) => o.pfsEvent],
  ['mfs_days', 'float8', (o) => o.mfsDays],
  ['mfs_event', 'bool', (o) => o.mfsEvent],
  ['best_response', 'int2', (o) => bestResponseCodes[o.bestResponse]],
  ['nadir_cells', 'float8', (o) => o.nadirCells],
  ['nadir_day', 'float8', (o) => o.nadirDay],
  ['leader_fraction_at_diagnosis', 'float8', (o) => o.leaderFractionAtDiagnosis],
  ['leader_fraction_at_nadir', 'float8', (o) => o.leaderFractionAtNadir],
  ['leader_fraction_at_end', 'float8', (o) => o.leaderFractionAtEnd],
  ['metastatic_cells_at_diagnosis', 'float8', (o) => o.metastaticCellsAtDiagnosis],
  ['seeding_events', 'int4', (o) => o.seedingEvents],
  ['cured', 'bool', (o) => o.cured],
  ['min_effector', 'float8', (o) => o.minEffector],
  ['redraws', 'int4', (o) => o.redraws],
  ['sampled_growth_rate', 'float8', (o) => o.sampled.growthRate],
  ['sampled_diagnosis_cells', 'float8', (o) => o.sampled.diagnosisCells],
  ['sampled_emt_plasticity', 'float8', (o) => o.sampled.emtPlasticity],
  ['sampled_elimination_rate', 'float8', (o) => o.sampled.eliminationRate],
  ['sampled_max_drug_kill', 'float8', (o) => o.sampled.maxDrugKill],
  ['sampled_immune_kill', 'float8', (o) => o.sampled.immuneKill],
];

// One array parameter per column: any number of rows in one statement, far under the 65,535
// bind-parameter limit, and a retried chunk inserts nothing twice (ON CONFLICT DO NOTHING).
const insertSql = `insert into outcomes (point_id, ${columns.map(([name]) => name).join(', ')})
select $1::int4, * from unnest(${columns.map(([, type], i) => `$${i + 2}::${type}[]`).join(', ')})
on conflict do nothing`;

/** An outcome as its database row (snake_case columns), e.g. to compare stored rows with the model. */
export function outcomeRow(record: OutcomeRecord): Record<string, unknown> {
  return Object.fromEntries(columns.map(([name, , value]) => [name, value(record)]));
}

/** Insert one point's outcomes; returns how many rows were new. */
export async function insertOutcomes(
  client: pg.PoolClient | pg.Client,
  pointId: number,
  records: readonly OutcomeRecord[],
): Promise<number> {
  if (records.length === 0) return 0;
  const params: unknown[] = [pointId];
  for (const [, , value] of columns) params.push(records.map(value));
  const result = await client.query(insertSql, params);
  return result.rowCount ?? 0;
}
