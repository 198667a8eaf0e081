import type { PointRow, SweepSummary } from '@frontline/contracts';
import * as Plot from '@observablehq/plot';
import { h, replaceChildren } from '../dom.js';
import { formatDays, formatPercent, formatValue } from '../format.js';
import { axisValuesOf } from '../point-metrics.js';
import { select } from './widgets.js';

interface SliceMetric {
  id: string;
  label: string;
  read: (row: PointRow) => number | null;
  format: (value: number) => string;
}

const finite = (value: number | null) => (value !== null && Number.isFinite(value) ? value : null);

const sliceMetrics: readonly SliceMetric[] = [
  { id: 'medianOs', label: 'Median OS (days)', read: (r) => finite(r.os.median.value), format: formatDays },
  { id: 'os730', label: 'OS S(730)', read: (r) => finite(r.os.at730), format: formatPercent },
  { id: 'rmstOs', label: 'RMST OS (days)', read: (r) => finite(r.os.rmst), format: formatDays },
  { id: 'cured', label: 'Cured fraction', read: (r) => finite(r.curedFraction), format: formatPercent },
];

/** Whether a sweep samples its axes (LHS, Sobol, Saltelli): points scatter instead of a grid. */
export const isSampledDesign = (spec: SweepSummary['spec']) => spec.design.kind !== 'grid';

/**
 * For sampled designs: the chosen metric against each axis, one small scatter per axis (log x
 * where the axis was sampled on a log scale). Points without an estimate (median not reached,
 * no outcomes yet) are left out and counted.
 */
export function sliceView(spec: SweepSummary['spec']) {
  const axes = Object.keys(spec.design.axes);
  const logAxes = new Set(
    spec.design.kind === 'grid'
      ? []
      : Object.entries(spec.design.axes)
          .filter(([, range]) => range.scale === 'log')
          .map(([axis]) => axis),
  );
  let metric = sliceMetrics[0]!;
  let rows: readonly PointRow[] = [];
  const plots = h('div', { class: 'slice-plots', 'data-testid': 'slice-plots' });
  const note = h('small', { class: 'muted', 'data-testid': 'slice-note' });

  function draw() {
    const points = rows
      .map((row) => ({ axes: axisValuesOf(row, axes), value: metric.read(row) }))
      .filter((p): p is { axes: Record<string, number>; value: number } => p.value !== null);
    const missing = rows.length - points.length;
    note.textContent =
      missing > 0
        ? `${missing} of ${rows.length} points have no ${metric.label} (not reached, past follow-up or pending)`
        : '';
    replaceChildren(
      plots,
      ...axes.map((axis) =>
        h(
          'figure',
          { 'data-testid': `slice-${axis}`, 'data-scale': logAxes.has(axis) ? 'log' : 'linear' },
          Plot.plot({
            width: 300,
            height: 220,
            marginLeft: 56,
            x: {
              label: axis,
              type: logAxes.has(axis) ? 'log' : 'linear',
              tickFormat: (v: number) => formatValue(v),
            },
            y: { label: metric.label, grid: true, tickFormat: metric.format, zero: metric.id !== 'medianOs' },
            marks: [
              Plot.dot(points, {
                x: (p) => p.axes[axis],
                y: 'value',
                r: 2.5,
                fill: 'steelblue',
                fillOpacity: 0.7,
                tip: true,
              }),
            ],
          }),
        ),
      ),
    );
  }

  const element = h(
    'section',
    { class: 'card', 'data-testid': 'slice-view' },
    h('h2', {}, 'Metric against each axis'),
    h(
      'div',
      { class: 'controls' },
      select(
        'Metric',
        sliceMetrics.map((m) => ({ value: m.id, label: m.label })),
        metric.id,
        (id) => {
          metric = sliceMetrics.find((m) => m.id === id) ?? metric;
          draw();
        },
        'slice-metric',
      ),
      note,
    ),
    plots,
  );
  return {
    element,
    update(next: readonly PointRow[]) {
      rows = next;
      draw();
    },
  };
}
