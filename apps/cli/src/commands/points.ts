import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { EndpointSummary, PointRow, PointsResponse } from '@frontline/contracts';
import { Command } from 'commander';
import { commandContext, sweepPath } from '../context.js';
import { callerDirectory } from '../env.js';
import { type Align, count, fraction, table, withInterval } from '../format.js';

/** Every page of GET /v1/sweeps/{id}/points, as one response. */
async function allPoints(get: <T>(path: string) => Promise<T>, id: string): Promise<PointsResponse> {
  let page = await get<PointsResponse>(`${sweepPath(id)}/points`);
  const points: PointRow[] = [...page.points];
  while (page.nextOffset !== null) {
    page = await get<PointsResponse>(`${sweepPath(id)}/points?offset=${page.nextOffset}`);
    points.push(...page.points);
  }
  return { ...page, offset: 0, nextOffset: null, points };
}

/** A point with no outcome yet is pending, not "not reached". */
const pending = (p: PointRow) => p.patients === 0;

/** lf-tid@2's trial outputs (docs/model-v2.md §6): null in every lf-tid@1 row. */
const hasTrialOutputs = (response: PointsResponse) =>
  response.points.some((p) => p.objectiveResponseRate !== null);

const trialCells = (p: PointRow) => [
  fraction(p.objectiveResponseRate),
  p.toxicDeaths === null ? '' : `${count(p.toxicDeaths)} (${fraction(p.toxicDeathFraction)})`,
  fraction(p.meanDoseIntensity),
];

export function pointsTable(response: PointsResponse): string {
  const { axes } = response;
  const trial = hasTrialOutputs(response);
  const headers = [
    ...axes,
    'patients',
    'median OS (95% CI), d',
    'OS 12 mo',
    'OS 24 mo',
    'median PFS (95% CI), d',
    'cured',
    ...(trial ? ['ORR', 'toxic deaths', 'dose intensity'] : []),
    'CR/PR/SD/PD',
  ];
  const rows = response.points.map((p) => {
    const axisCells = axes.map((axis) => String(p.axisValues[axis]));
    if (pending(p)) return [...axisCells, '0', 'pending', ...headers.slice(axes.length + 2).map(() => '')];
    const { CR, PR, SD, PD } = p.bestResponse;
    return [
      ...axisCells,
      count(p.patients),
      withInterval(p.os.median.value, p.os.median.lower, p.os.median.upper),
      fraction(p.os.at365),
      fraction(p.os.at730),
      withInterval(p.pfs.median.value, p.pfs.median.lower, p.pfs.median.upper),
      fraction(p.curedFraction),
      ...(trial ? trialCells(p) : []),
      `${CR}/${PR}/${SD}/${PD}`,
    ];
  });
  const align: Align[] = headers.map((_, i) => (i === headers.length - 1 ? 'left' : 'right'));
  return table(headers, rows, align);
}

const csvCell = (value: number | string | null) => (value === null ? '' : String(value));
const endpointColumns = (name: string) =>
  ['Median', 'MedianLower', 'MedianUpper', 'At365', 'At730', 'Rmst'].map((c) => `${name}${c}`);
const endpointCells = (e: EndpointSummary) => [
  e.median.value,
  e.median.lower,
  e.median.upper,
  e.at365,
  e.at730,
  e.rmst,
];

/** One row per point, numbers unrounded; empty cells where undefined (or pending). */
export function pointsCsv(response: PointsResponse): string {
  const adaptive = response.points.some((p) => p.cohort !== undefined);
  const header = [
    'pointIndex',
    ...response.axes,
    'patients',
    ...endpointColumns('os'),
    ...endpointColumns('pfs'),
    'curedFraction',
    'medianLeaderFractionAtDiagnosis',
    'CR',
    'PR',
    'SD',
    'PD',
    'objectiveResponseRate',
    'toxicDeaths',
    'toxicDeathFraction',
    'meanDoseIntensity',
    'grade4NeutropeniaRate',
    // An adaptive cohort's rounds per point (docs/adaptive-cohorts.md), last so fixed-cohort files keep their shape.
    ...(adaptive ? ['cohortRounds', 'halfWidth', 'cohortStop'] : []),
  ];
  const rows = response.points.map((p) => [
    p.pointIndex,
    ...response.axes.map((axis) => p.axisValues[axis] ?? null),
    p.patients,
    ...endpointCells(p.os),
    ...endpointCells(p.pfs),
    p.curedFraction,
    p.medianLeaderFractionAtDiagnosis,
    p.bestResponse.CR,
    p.bestResponse.PR,
    p.bestResponse.SD,
    p.bestResponse.PD,
    p.objectiveResponseRate,
    p.toxicDeaths,
    p.toxicDeathFraction,
    p.meanDoseIntensity,
    p.grade4NeutropeniaRate,
    ...(adaptive ? [p.cohort?.rounds ?? null, p.cohort?.halfWidth ?? null, p.cohort?.stop ?? null] : []),
  ]);
  return `${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n')}\n`;
}

export function pointsCommand(): Command {
  return new Command('points')
    .description(
      'one row per parameter point: median OS and PFS with 95% CI, OS at 12/24 months, cure, best response; lf-tid@2 adds ORR, toxic deaths and dose intensity',
    )
    .argument('<id>', 'sweep id')
    .option('--csv [file]', 'write the table as CSV (unrounded) to a file, or to stdout without one')
    .action(async (id: string, options: { csv?: string | true }, command: Command) => {
      const ctx = commandContext(command);
      const response = await allPoints((path) => ctx.client.get(path), id);
      if (ctx.json) return ctx.printJson(response);
      if (options.csv === true || options.csv === '-') {
        process.stdout.write(pointsCsv(response));
        return;
      }
      if (options.csv !== undefined) {
        const file = resolve(callerDirectory(), options.csv);
        await writeFile(file, pointsCsv(response));
        ctx.print(`wrote ${count(response.points.length)} points to ${file}`);
        return;
      }
      ctx.print(`sweep ${response.sweepId} (${response.status}) — ${count(response.totalPoints)} points`);
      ctx.print(pointsTable(response));
      if (response.partial)
        ctx.print('partial: the sweep has not finished; pending points have no outcomes yet');
    });
}
