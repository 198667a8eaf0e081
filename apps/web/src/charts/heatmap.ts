import * as Plot from '@observablehq/plot';
import { formatValue } from '../format.js';

export interface HeatmapCell {
  x: number;
  y: number | string;
  /** null: not estimable (median not reached, time beyond follow-up). */
  value: number | null;
}

export interface HeatmapOptions {
  xLabel: string;
  yLabel: string;
  valueLabel: string;
  /** Text drawn in a cell. */
  format: (value: number | null) => string;
  percent?: boolean;
  width: number;
  /** false for sampled designs: points, not a lattice, so dots on continuous axes. */
  grid: boolean;
}

/**
 * One cell per point of the slice, coloured by the metric; cells without an estimate stay grey and
 * are labelled (NR) rather than left out, so every point of the slice is visible.
 */
export function heatmapChart(cells: readonly HeatmapCell[], options: HeatmapOptions) {
  if (!options.grid) return scatterChart(cells, options);
  const known = cells.filter((c) => c.value !== null);
  const unknown = cells.filter((c) => c.value === null);
  const xs = [...new Set(cells.map((c) => c.x))].sort((a, b) => a - b);
  const ys = [...new Set(cells.map((c) => c.y))].sort((a, b) => Number(a) - Number(b));
  return Plot.plot({
    width: options.width,
    height: Math.max(160, 60 + ys.length * 56),
    marginLeft: 72,
    marginBottom: 44,
    padding: 0.04,
    x: { label: options.xLabel, domain: xs, tickFormat: (d: number) => formatValue(d) },
    y: {
      label: options.yLabel,
      domain: ys,
      reverse: true,
      tickFormat: (d: unknown) => (typeof d === 'number' ? formatValue(d) : String(d)),
    },
    color:
      known.length > 0
        ? {
            type: 'linear',
            scheme: 'viridis',
            legend: true,
            label: options.valueLabel,
            percent: options.percent ?? false,
          }
        : undefined,
    marks: [
      Plot.cell(known, { x: 'x', y: 'y', fill: 'value', inset: 0.5, tip: true }),
      Plot.cell(unknown, { x: 'x', y: 'y', fill: '#e5e7eb', inset: 0.5 }),
      Plot.text(cells, {
        x: 'x',
        y: 'y',
        text: (c: HeatmapCell) => options.format(c.value),
        // Dark text on a white halo reads on every colour of the scale.
        fill: '#111827',
        stroke: (c: HeatmapCell) => (c.value === null ? 'none' : 'white'),
        strokeWidth: 3,
        paintOrder: 'stroke',
        fontSize: 12,
      }),
    ],
  });
}

function scatterChart(cells: readonly HeatmapCell[], options: HeatmapOptions) {
  const known = cells.filter((c) => c.value !== null);
  return Plot.plot({
    width: options.width,
    height: 360,
    marginLeft: 72,
    x: { label: options.xLabel, grid: true },
    y: { label: options.yLabel, grid: true },
    color:
      known.length > 0
        ? {
            type: 'linear',
            scheme: 'viridis',
            legend: true,
            label: options.valueLabel,
            percent: options.percent ?? false,
          }
        : undefined,
    marks: [
      Plot.dot(
        cells.filter((c) => c.value === null),
        { x: 'x', y: 'y', r: 6, stroke: '#9ca3af' },
      ),
      Plot.dot(known, { x: 'x', y: 'y', r: 6, fill: 'value', tip: true }),
    ],
  });
}
