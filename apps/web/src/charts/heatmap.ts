import * as Plot from '@observablehq/plot';
import { axisValueFormatter } from '../format.js';
import { colourDomain, legendTicks } from './colour-scale.js';
import { composeFigure, type Placed, sizeOf, svgElement, swatchLegend } from './figure.js';

export interface HeatmapCell {
  x: number;
  y: number | string;
  /** null: no estimate; `missing` says why. */
  value: number | null;
  /** Why a cell has no value: `NR` (median not reached), `n/a` (past follow-up), `pending` (no outcomes yet). */
  missing?: string;
}

export interface HeatmapOptions {
  xLabel: string;
  yLabel: string;
  valueLabel: string;
  /** Text drawn in a cell, its tip and the legend, at the metric's precision (`455 d`, `45.0%`). */
  format: (value: number | null) => string;
  width: number;
  /** false for sampled designs: points, not a lattice, so dots on continuous axes. */
  grid: boolean;
  /** Axes sampled on a log scale (`scale: 'log'` in the spec), drawn log in the scatter. */
  logX?: boolean;
  logY?: boolean;
}

/** Cells without a value: a light hatch, distinct from every colour of the viridis scale. */
const missingFill = '#f3f4f6';
const missingStroke = '#9ca3af';
let patternCount = 0;

function hatchPattern(id: string) {
  const pattern = svgElement('pattern', {
    id,
    width: 6,
    height: 6,
    patternUnits: 'userSpaceOnUse',
    patternTransform: 'rotate(45)',
  });
  pattern.append(
    svgElement('rect', { width: 6, height: 6, fill: missingFill }),
    svgElement('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: missingStroke, 'stroke-width': 1.5 }),
  );
  const defs = svgElement('defs');
  defs.append(pattern);
  return defs;
}

function colourOptions(cells: readonly HeatmapCell[], options: HeatmapOptions) {
  const domain = colourDomain(cells.map((c) => c.value));
  if (!domain) return undefined;
  const ticks = legendTicks(domain);
  // The metric's own text (`455 d`) unless it rounds two ticks alike; then plain numbers that differ.
  const inMetric = ticks.map((t) => options.format(t));
  const plain = axisValueFormatter(ticks);
  const tickFormat =
    new Set(inMetric).size === ticks.length ? (v: number) => options.format(v) : (v: number) => plain(v);
  return {
    type: 'linear' as const,
    scheme: 'viridis' as const,
    domain,
    // Values beyond the 2nd–98th percentile take the end colours.
    clamp: true,
    label: options.valueLabel,
    ticks,
    tickFormat,
  };
}

/**
 * The heatmap figure: one cell per point of the slice (a strip for a one-axis sweep), or one dot per
 * point for sampled designs; coloured by the metric on a scale clipped to its finite values' 2nd–98th
 * percentile, with NR / pending cells hatched grey and named in the legend. One SVG, ready for export.
 */
export function heatmapFigure(cells: readonly HeatmapCell[], options: HeatmapOptions): SVGSVGElement {
  const color = colourOptions(cells, options);
  const patternId = `missing-hatch-${++patternCount}`;
  const chart = options.grid
    ? gridChart(cells, options, color, patternId)
    : scatterChart(cells, options, color, patternId);
  const legends: SVGSVGElement[] = [];
  if (color) {
    const ramp = Plot.legend({
      color,
      ticks: color.ticks,
      tickFormat: color.tickFormat,
      width: 280,
      marginLeft: 12,
    });
    if (ramp instanceof SVGSVGElement) {
      ramp.classList.add('colour-legend');
      legends.push(ramp);
    }
  }
  const missing = [...new Set(cells.filter((c) => c.value === null).map((c) => c.missing ?? 'no value'))];
  if (missing.length > 0) {
    const legend = swatchLegend(
      missing.map((label) => ({
        label: label === 'NR' ? 'NR (median not reached)' : label,
        swatch: (x, y) =>
          svgElement('rect', {
            x,
            y,
            width: 14,
            height: 10,
            fill: `url(#${patternId}-legend)`,
            stroke: missingStroke,
          }),
      })),
      300,
    );
    legend.prepend(hatchPattern(`${patternId}-legend`));
    legend.setAttribute('class', 'legend missing-legend');
    legend.setAttribute('height', '36');
    legends.push(legend);
  }
  const parts: Placed[] = [];
  let x = 0;
  let legendHeight = 0;
  for (const legend of legends) {
    parts.push({ element: legend, x, y: legend.classList.contains('missing-legend') ? 18 : 0 });
    x += sizeOf(legend).width + 24;
    legendHeight = Math.max(legendHeight, sizeOf(legend).height + 4);
  }
  parts.push({ element: chart, x: 0, y: legendHeight });
  const width = Math.max(sizeOf(chart).width, x);
  return composeFigure(width, legendHeight + sizeOf(chart).height, parts, `Heatmap of ${options.valueLabel}`);
}

type ColourOptions = ReturnType<typeof colourOptions>;

function gridChart(
  cells: readonly HeatmapCell[],
  options: HeatmapOptions,
  color: ColourOptions,
  patternId: string,
) {
  const known = cells.filter((c) => c.value !== null);
  const unknown = cells.filter((c) => c.value === null);
  const xs = [...new Set(cells.map((c) => c.x))].sort((a, b) => a - b);
  const ys = [...new Set(cells.map((c) => c.y))].sort((a, b) => Number(a) - Number(b));
  const strip = options.yLabel === '';
  const formatX = axisValueFormatter(xs);
  const formatY = axisValueFormatter(ys.filter((y): y is number => typeof y === 'number'));
  // Long or many x labels are turned, so none is clipped or overlaps its neighbour.
  const longest = Math.max(...xs.map((x) => formatX(x).length));
  const cellWidth = (options.width - 100) / Math.max(1, xs.length);
  const turn = longest * 6.5 > cellWidth - 6;
  const yLabels = ys.map((y) => (typeof y === 'number' ? formatY(y) : String(y)));
  return Plot.plot({
    width: options.width,
    height: strip
      ? 90 + (turn ? longest * 5 : 0)
      : Math.max(160, 60 + ys.length * 56 + (turn ? longest * 5 : 0)),
    marginLeft: strip ? 20 : Math.max(56, 18 + Math.max(...yLabels.map((l) => l.length)) * 7),
    marginRight: 20,
    marginBottom: 40 + (turn ? longest * 5 : 0),
    padding: 0.04,
    x: {
      label: options.xLabel,
      labelAnchor: 'center',
      labelArrow: 'none',
      domain: xs,
      tickFormat: (d: number) => formatX(d),
      tickRotate: turn ? -45 : 0,
    },
    y: strip
      ? { axis: null, domain: ys }
      : {
          label: options.yLabel,
          domain: ys,
          reverse: true,
          tickFormat: (d: unknown) => (typeof d === 'number' ? formatY(d) : String(d)),
        },
    color,
    marks: [
      () => hatchPattern(patternId),
      Plot.cell(known, {
        x: 'x',
        y: 'y',
        fill: 'value',
        inset: 0.5,
        tip: { format: { fill: (v: number) => options.format(v), x: formatX, y: true } },
      }),
      Plot.cell(unknown, {
        x: 'x',
        y: 'y',
        fill: `url(#${patternId})`,
        stroke: missingStroke,
        inset: 0.5,
        className: 'missing-cells',
      }),
      cellWidth >= 34
        ? Plot.text(cells, {
            x: 'x',
            y: 'y',
            text: (c: HeatmapCell) =>
              c.value === null ? (c.missing ?? options.format(null)) : options.format(c.value),
            // Dark text on a white halo reads on every colour of the scale.
            fill: '#111827',
            stroke: 'white',
            strokeWidth: 3,
            paintOrder: 'stroke',
            fontSize: cellWidth >= 60 ? 12 : 10,
          })
        : null,
    ],
  }) as SVGSVGElement;
}

function scatterChart(
  cells: readonly HeatmapCell[],
  options: HeatmapOptions,
  color: ColourOptions,
  patternId: string,
) {
  const known = cells.filter((c) => c.value !== null);
  const formatX = axisValueFormatter(cells.map((c) => c.x));
  return Plot.plot({
    width: options.width,
    height: 380,
    marginLeft: 72,
    marginBottom: 44,
    x: {
      label: options.xLabel,
      type: options.logX ? 'log' : 'linear',
      grid: true,
      labelAnchor: 'center',
      labelArrow: 'none',
    },
    y: { label: options.yLabel, type: options.logY ? 'log' : 'linear', grid: true },
    color,
    marks: [
      () => hatchPattern(patternId),
      Plot.dot(
        cells.filter((c) => c.value === null),
        {
          x: 'x',
          y: 'y',
          r: 6,
          fill: `url(#${patternId})`,
          stroke: missingStroke,
          className: 'missing-cells',
        },
      ),
      Plot.dot(known, {
        x: 'x',
        y: 'y',
        r: 6,
        fill: 'value',
        tip: { format: { fill: (v: number) => options.format(v), x: formatX, y: true } },
      }),
    ],
  }) as SVGSVGElement;
}
