import type { SurvivalGroup } from '@frontline/contracts';
import { axisValueFormatter } from '../format.js';

/**
 * Pure parts of the Kaplan–Meier figure: time units and ticks, numbers at risk, censoring marks and group
 * labels, all read from the curve rows GET /v1/sweeps/{id}/survival serves.
 */

export type TimeUnit = 'days' | 'months';
/** survminer's `xscale = "d_m"`. */
export const daysPerMonth = 365.25 / 12;
export const daysPer = (unit: TimeUnit) => (unit === 'months' ? daysPerMonth : 1);

const tickSteps: Record<TimeUnit, readonly number[]> = {
  days: [7, 14, 30, 60, 90, 180, 365, 730, 1825],
  months: [1, 2, 3, 6, 12, 24, 60],
};

/** Evenly spaced ticks from 0, at most 9 ticks, at a step clinicians read (90 d, 3 months); in days. */
export function timeTicks(maxDays: number, unit: TimeUnit): number[] {
  const max = maxDays / daysPer(unit);
  const steps = tickSteps[unit];
  const step =
    steps.find((s) => Math.floor(max / s) <= 8) ??
    Math.ceil(max / 8 / steps[steps.length - 1]!) * steps[steps.length - 1]!;
  const ticks: number[] = [];
  for (let k = 0; k * step <= max + 1e-9; k++) ticks.push(k * step * daysPer(unit));
  return ticks;
}

/** Where the group's follow-up ends: its horizon (the RMST τ), else its last event time. */
export function followUpEnd(group: SurvivalGroup): number {
  const { time } = group.curve;
  return Math.max(group.rmst?.tau ?? 0, time[time.length - 1] ?? 0);
}

/** Patients still followed after the group's last event row (censored later, by the horizon at the latest). */
function afterLastRow(group: SurvivalGroup): number {
  const { nRisk, nEvent, nCensor } = group.curve;
  const last = nRisk.length - 1;
  if (last < 0) return group.patients;
  return nRisk[last]! - nEvent[last]! - nCensor[last]!;
}

/**
 * Number at risk at `day` (time ≥ day), as survminer's risk table: the risk set of the first event row
 * at or after `day`. The API serves one row per event time, so this is exact unless a patient is
 * censored between `day` and that event (overall survival is censored only at the horizon).
 */
export function atRisk(group: SurvivalGroup, day: number): number {
  if (group.patients === 0) return 0;
  if (day <= 0) return group.patients;
  const { time, nRisk } = group.curve;
  const row = time.findIndex((t) => t >= day);
  if (row >= 0) return nRisk[row]!;
  return day <= followUpEnd(group) ? afterLastRow(group) : 0;
}

export interface CensorMark {
  /** Days. */
  time: number;
  survival: number;
  /** Patients censored at this time. */
  censored: number;
}

/**
 * The `+` marks: censorings at event times (`nCensor`), and those still followed after the last event,
 * censored at the end of follow-up. Censorings between event rows have no time in the API's rows, so
 * they get no mark.
 */
export function censorMarks(group: SurvivalGroup): CensorMark[] {
  const { time, nCensor, survival } = group.curve;
  const marks: CensorMark[] = [];
  time.forEach((t, i) => {
    const s = survival[i];
    if (nCensor[i]! > 0 && s !== null && s !== undefined)
      marks.push({ time: t, survival: s, censored: nCensor[i]! });
  });
  const end = followUpEnd(group);
  const lastTime = time[time.length - 1] ?? 0;
  const tail = afterLastRow(group);
  const lastSurvival = time.length === 0 ? 1 : survival[time.length - 1];
  if (tail > 0 && end > lastTime && lastSurvival !== null && lastSurvival !== undefined)
    marks.push({ time: end, survival: lastSurvival, censored: tail });
  return marks;
}

/**
 * Labels of the groups at their axes' precision (`dose=0.26`, not `dose=0.2598207698484945`): each axis
 * with the fewest digits that keep the values of this response apart; binned axes print their range.
 */
export function groupLabels(groups: readonly SurvivalGroup[]): string[] {
  const valuesByAxis = new Map<string, number[]>();
  for (const group of groups)
    for (const [axis, value] of Object.entries(group.key)) {
      const [low, high] = group.ranges?.[axis] ?? [value, value];
      valuesByAxis.set(axis, [...(valuesByAxis.get(axis) ?? []), value, low, high]);
    }
  const formatters = new Map([...valuesByAxis].map(([axis, values]) => [axis, axisValueFormatter(values)]));
  return groups.map((group) => {
    const entries = Object.entries(group.key);
    if (entries.length === 0) return 'all patients';
    return entries
      .map(([axis, value]) => {
        const format = formatters.get(axis) ?? String;
        const range = group.ranges?.[axis];
        return range && range[0] !== range[1]
          ? `${axis}∈[${format(range[0])}, ${format(range[1])}]`
          : `${axis}=${format(value)}`;
      })
      .join(', ');
  });
}

/**
 * Okabe–Ito's colour-blind-safe palette (Wong, Nat. Methods 2011), with its yellow darkened to read on
 * white. More groups than colours are drawn as small multiples, never with a repeating palette.
 */
export const groupPalette = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
  '#A08600',
] as const;
