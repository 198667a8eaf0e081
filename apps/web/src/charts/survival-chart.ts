import type { SurvivalGroup } from '@frontline/contracts';
import * as Plot from '@observablehq/plot';
import { formatValue } from '../format.js';
import { composeFigure, type Placed, sizeOf, svgElement, swatchLegend } from './figure.js';
import {
  atRisk,
  censorMarks,
  daysPer,
  followUpEnd,
  groupLabels,
  groupPalette,
  type TimeUnit,
  timeTicks,
} from './km-data.js';

export interface CurvePoint {
  group: string;
  time: number;
  survival: number;
  lower: number | null;
  upper: number | null;
}

/** A group's label: `dose=2, immuneKill=0.1` from its key (an object of axis values, or text). */
export function groupLabel(key: unknown): string {
  if (key === null || key === undefined || key === '') return 'all patients';
  if (typeof key !== 'object') return String(key);
  const entries = Object.entries(key as Record<string, unknown>);
  if (entries.length === 0) return 'all patients';
  return entries
    .map(([axis, value]) => `${axis}=${typeof value === 'number' ? formatValue(value) : String(value)}`)
    .join(', ');
}

/**
 * Kaplan–Meier steps of every group, starting at S(0) = 1. Each row holds S just after its time, so
 * the curve is drawn 'step-after'. `labels` name the groups (default: from their keys).
 */
export function curvePoints(
  groups: readonly SurvivalGroup[],
  labels: readonly string[] = groups.map((g) => groupLabel(g.key)),
): CurvePoint[] {
  const rows: CurvePoint[] = [];
  groups.forEach((group, g) => {
    const label = labels[g]!;
    const { time, survival, lower, upper } = group.curve;
    if (time.length === 0 || (time[0] ?? 0) > 0)
      rows.push({ group: label, time: 0, survival: 1, lower: 1, upper: 1 });
    time.forEach((t, i) => {
      const s = survival[i];
      if (s === null || s === undefined) return;
      rows.push({ group: label, time: t, survival: s, lower: lower[i] ?? null, upper: upper[i] ?? null });
    });
    // Carry the last step to the end of follow-up, so a plateau (cured patients) is drawn.
    const last = rows[rows.length - 1];
    const end = group.rmst?.tau ?? 0;
    if (last && last.group === label && end > last.time) rows.push({ ...last, time: end });
  });
  return rows;
}

const endpointNames = {
  os: 'Overall survival',
  pfs: 'Progression-free survival',
  mfs: 'Metastasis-free survival',
};

export interface SurvivalFigureOptions {
  endpoint: 'os' | 'pfs' | 'mfs';
  unit: TimeUnit;
  width: number;
}

/** More groups than this are drawn as small multiples, one panel per group. */
export const maxGroupsPerPanel = groupPalette.length;

const charWidth = 6.2;
const unitLabel = (unit: TimeUnit) => (unit === 'months' ? 'months' : 'days');

interface PanelInput {
  groups: readonly SurvivalGroup[];
  labels: readonly string[];
  colours: readonly string[];
  /** Other groups' curves, drawn grey behind a small multiple for context. */
  context: CurvePoint[];
  width: number;
  plotHeight: number;
  maxDays: number;
  unit: TimeUnit;
  yLabel: string | null;
  /** Risk-table row names (the group labels, or "at risk" in a small multiple). */
  riskNames: readonly string[];
  marginLeft: number;
  compact: boolean;
}

/** The curves, CI bands, censor marks and median lines of a panel, and its risk table under them. */
function panel(input: PanelInput): { plot: SVGSVGElement; riskTable: SVGSVGElement } {
  const { unit, labels, colours, marginLeft } = input;
  const per = daysPer(unit);
  const ticks = timeTicks(input.maxDays, unit);
  const domain: [number, number] = [0, input.maxDays / per];
  const toUnit = <T extends { time: number }>(rows: T[]) => rows.map((r) => ({ ...r, time: r.time / per }));
  const rows = toUnit(curvePoints(input.groups, labels));
  const marks = toUnit(
    input.groups.flatMap((g, i) => censorMarks(g).map((m) => ({ ...m, group: labels[i]! }))),
  );
  const medians = input.groups.flatMap((g, i) =>
    g.median.value === null ? [] : [{ group: labels[i]!, time: g.median.value / per }],
  );
  const color = { domain: [...labels], range: [...colours] };
  const x = {
    domain,
    ticks: ticks.map((t) => t / per),
    tickFormat: (d: number) => formatValue(d),
  };
  const marginRight = 24;
  const plot = Plot.plot({
    width: input.width,
    height: input.plotHeight,
    marginLeft,
    marginRight,
    marginBottom: 36,
    x: {
      ...x,
      label: `Time since diagnosis (${unitLabel(unit)})`,
      labelAnchor: 'center',
      labelArrow: 'none',
      grid: true,
    },
    y: { label: input.yLabel, domain: [0, 1], grid: true, ticks: input.compact ? 3 : 6 },
    color,
    marks: [
      Plot.line(toUnit(input.context), {
        x: 'time',
        y: 'survival',
        z: 'group',
        stroke: '#d1d5db',
        strokeWidth: 1,
        curve: 'step-after',
      }),
      Plot.areaY(rows, {
        x: 'time',
        y1: 'lower',
        y2: 'upper',
        fill: 'group',
        fillOpacity: 0.12,
        curve: 'step-after',
      }),
      Plot.line(rows, { x: 'time', y: 'survival', stroke: 'group', strokeWidth: 1.8, curve: 'step-after' }),
      // survminer's surv.median.line = "hv": dashed from the y axis to each median, then down to the x axis.
      Plot.ruleY(medians.length > 0 ? [0.5] : [], {
        x1: 0,
        x2: Math.max(0, ...medians.map((m) => m.time)),
        stroke: '#6b7280',
        strokeDasharray: '4,3',
        className: 'median-lines',
      }),
      Plot.ruleX(medians, {
        x: 'time',
        y1: 0,
        y2: 0.5,
        stroke: 'group',
        strokeDasharray: '4,3',
        className: 'median-lines',
      }),
      Plot.dot(marks, {
        x: 'time',
        y: 'survival',
        symbol: 'plus',
        stroke: 'group',
        r: 3.5,
        strokeWidth: 1.4,
        className: 'censor-marks',
      }),
      Plot.ruleY([0]),
      Plot.tip(
        rows,
        Plot.pointerX({
          x: 'time',
          y: 'survival',
          stroke: 'group',
          channels: { group: 'group', lower: 'lower', upper: 'upper' },
          format: {
            x: (d: number) => `${formatValue(d)} ${unit === 'months' ? 'mo' : 'd'}`,
            y: '.3f',
            lower: '.3f',
            upper: '.3f',
            stroke: false,
          },
        }),
      ),
    ],
  }) as SVGSVGElement;

  // Numbers at risk at the x ticks, aligned with them: same width, margins and domain as the plot.
  const risk = input.groups.flatMap((g, i) =>
    ticks.map((day) => ({
      group: input.riskNames[i]!,
      colour: colours[i]!,
      time: day / per,
      n: atRisk(g, day),
    })),
  );
  const rowHeight = 16;
  const riskTable = Plot.plot({
    width: input.width,
    height: 26 + rowHeight * input.groups.length,
    marginLeft,
    marginRight,
    marginTop: 20,
    marginBottom: 6,
    x: { ...x, axis: null },
    // Padding keeps the row names clear of the numbers centred on the first tick (time 0).
    y: { domain: [...input.riskNames], label: null, tickSize: 0, tickPadding: 22 },
    marks: [
      Plot.text(['Number at risk'], {
        frameAnchor: 'top-left',
        dx: -marginLeft + 4,
        dy: -16,
        fontWeight: 'bold',
        fontSize: 11,
      }),
      Plot.text(risk, {
        x: 'time',
        y: 'group',
        text: (d: { n: number }) => String(d.n),
        fill: 'colour',
        fontSize: 11,
        className: 'risk-numbers',
      }),
    ],
  }) as SVGSVGElement;
  return { plot, riskTable };
}

/**
 * Kaplan–Meier figure as survminer's ggsurvplot draws it: step curves with 95% CI bands, `+` at censoring
 * times, dashed median lines, a numbers-at-risk table under the time axis aligned with its ticks, and a
 * colour-blind-safe palette; more than 8 groups become small multiples. One SVG, ready for export.
 */
export function survivalFigure(
  groups: readonly SurvivalGroup[],
  options: SurvivalFigureOptions,
): SVGSVGElement {
  const labels = groupLabels(groups);
  const maxDays = Math.max(1, ...groups.map(followUpEnd));
  const yLabel = `${endpointNames[options.endpoint]} S(t)`;
  const title = `Kaplan–Meier: ${endpointNames[options.endpoint]}`;
  if (groups.length <= maxGroupsPerPanel) {
    const colours = labels.map((_, i) => groupPalette[i]!);
    const legend = swatchLegend(
      labels.map((label, i) => ({
        label,
        swatch: (x, y) => svgElement('rect', { x, y, width: 14, height: 10, fill: colours[i]! }),
      })),
      options.width,
    );
    const marginLeft = Math.min(300, Math.max(56, 30 + Math.max(...labels.map((l) => l.length)) * charWidth));
    const { plot, riskTable } = panel({
      groups,
      labels,
      colours,
      context: [],
      width: options.width,
      plotHeight: 360,
      maxDays,
      unit: options.unit,
      yLabel,
      riskNames: labels,
      marginLeft,
      compact: false,
    });
    const legendHeight = sizeOf(legend).height;
    const plotHeight = sizeOf(plot).height;
    return composeFigure(
      options.width,
      legendHeight + plotHeight + sizeOf(riskTable).height,
      [
        { element: legend, x: marginLeft, y: 4 },
        { element: plot, x: 0, y: legendHeight },
        { element: riskTable, x: 0, y: legendHeight + plotHeight },
      ],
      title,
    );
  }
  // Small multiples: each group in its own panel, the others grey behind it.
  const all = curvePoints(groups, labels);
  const columns = Math.max(1, Math.floor(options.width / 280));
  const panelWidth = Math.floor(options.width / columns);
  const parts: Placed[] = [];
  let height = 0;
  groups.forEach((group, i) => {
    const label = labels[i]!;
    const { plot, riskTable } = panel({
      groups: [group],
      labels: [label],
      colours: [groupPalette[0]],
      context: all.filter((r) => r.group !== label),
      width: panelWidth,
      plotHeight: 190,
      maxDays,
      unit: options.unit,
      yLabel: null,
      riskNames: ['at risk'],
      marginLeft: 66,
      compact: true,
    });
    const heading = swatchLegend(
      [
        {
          label,
          swatch: (x, y) => svgElement('rect', { x, y, width: 14, height: 10, fill: groupPalette[0] }),
        },
      ],
      panelWidth,
    );
    const x = (i % columns) * panelWidth;
    const y =
      Math.floor(i / columns) * (sizeOf(heading).height + sizeOf(plot).height + sizeOf(riskTable).height);
    parts.push(
      { element: heading, x: x + 66, y },
      { element: plot, x, y: y + sizeOf(heading).height },
      { element: riskTable, x, y: y + sizeOf(heading).height + sizeOf(plot).height },
    );
    height = Math.max(height, y + sizeOf(heading).height + sizeOf(plot).height + sizeOf(riskTable).height);
  });
  return composeFigure(options.width, height + 8, parts, `${title} (${groups.length} groups, ${yLabel})`);
}
