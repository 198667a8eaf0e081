import type { PointRow, SweepStatus } from '@frontline/contracts';
import { pending } from '@frontline/contracts/format';
import { exportButtons, loadingIndicator } from '../charts/figure.js';
import { type HeatmapCell, heatmapFigure } from '../charts/heatmap.js';
import { h, replaceChildren } from '../dom.js';
import { axisValueFormatter } from '../format.js';
import { axisValuesOf, heatmapMetrics } from '../point-metrics.js';
import { select } from './widgets.js';

/** Axes a sampled design draws on a log scale (`scale: 'log'` in the spec). */
function logAxesOf(design: SweepStatus['spec']['design']): Set<string> {
  if (design.kind === 'grid') return new Set();
  return new Set(
    Object.entries(design.axes).flatMap(([axis, range]) => (range.scale === 'log' ? [axis] : [])),
  );
}

/**
 * Median OS (or OS at 24 months) over two chosen axes, at a chosen value of every other axis (a grid),
 * or every sampled point on its axes (LHS, Sobol: log axes drawn log). Shows a loading state until the
 * first points arrive, and exports as SVG or PNG.
 */
export function heatmapSection(axes: readonly string[], design: SweepStatus['spec']['design']) {
  const isGrid = design.kind === 'grid';
  const logAxes = logAxesOf(design);
  let figure: SVGSVGElement | null = null;
  let metric = heatmapMetrics[0]!;
  let xAxis = axes[0] ?? '';
  let yAxis = axes[1] ?? '';
  const sliceValue = new Map<string, number>();
  let rows: PointRow[] = [];
  const chart = h(
    'div',
    { class: 'chart', 'data-testid': 'heatmap' },
    loadingIndicator('Loading points…', 'heatmap-loading'),
  );
  const controls = h('div', { class: 'controls' });
  const exports = exportButtons(
    () => figure,
    () => `heatmap-${metric.id}-${xAxis}${yAxis ? `-${yAxis}` : ''}`,
    'heatmap',
  );
  const element = h('section', { class: 'card' }, h('h2', {}, 'Response heatmap'), controls, chart);

  const valuesOf = (axis: string) =>
    [
      ...new Set(rows.map((r) => axisValuesOf(r, axes)[axis]).filter((v): v is number => v !== undefined)),
    ].sort((a, b) => a - b);
  const sliceAxes = () => axes.filter((a) => a !== xAxis && a !== yAxis);

  function renderControls() {
    const axisOptions = axes.map((a) => ({ value: a, label: a }));
    replaceChildren(
      controls,
      select(
        'Metric',
        heatmapMetrics.map((m) => ({ value: m.id, label: m.label })),
        metric.id,
        (v) => {
          metric = heatmapMetrics.find((m) => m.id === v) ?? metric;
          render();
        },
        'heatmap-metric',
      ),
      select(
        'x',
        axisOptions,
        xAxis,
        (v) => {
          if (v === yAxis) yAxis = xAxis;
          xAxis = v;
          render();
        },
        'heatmap-x',
      ),
      axes.length > 1
        ? select(
            'y',
            axisOptions,
            yAxis,
            (v) => {
              if (v === xAxis) xAxis = yAxis;
              yAxis = v;
              render();
            },
            'heatmap-y',
          )
        : null,
      ...(isGrid
        ? sliceAxes().map((axis) => {
            const values = valuesOf(axis);
            const current = sliceValue.get(axis) ?? values[0];
            if (current !== undefined) sliceValue.set(axis, current);
            const format = axisValueFormatter(values);
            return select(
              `at ${axis} =`,
              values.map((v) => ({ value: String(v), label: format(v) })),
              String(current),
              (v) => {
                sliceValue.set(axis, Number(v));
                render();
              },
              `heatmap-slice-${axis}`,
            );
          })
        : []),
      exports,
    );
  }

  function render() {
    renderControls();
    const inSlice = isGrid
      ? rows.filter((r) => {
          const values = axisValuesOf(r, axes);
          return sliceAxes().every((a) => values[a] === sliceValue.get(a));
        })
      : rows;
    const cells: HeatmapCell[] = [];
    for (const row of inSlice) {
      const values = axisValuesOf(row, axes);
      const x = values[xAxis];
      if (x === undefined) continue;
      const value = metric.read(row);
      cells.push({
        x,
        y: yAxis ? (values[yAxis] ?? '') : metric.label,
        value,
        // A point without outcomes is pending, not "not reached".
        missing: value !== null ? undefined : row.patients === 0 ? pending : metric.format(null),
      });
    }
    if (cells.length === 0) {
      figure = null;
      replaceChildren(chart, h('p', { class: 'muted' }, 'No points yet.'));
      return;
    }
    figure = heatmapFigure(cells, {
      xLabel: xAxis,
      yLabel: yAxis || '',
      valueLabel: metric.label,
      format: metric.format,
      width: Math.max(
        360,
        Math.min(chart.clientWidth || 900, 120 + 110 * new Set(cells.map((c) => c.x)).size),
      ),
      grid: isGrid,
      logX: logAxes.has(xAxis),
      logY: logAxes.has(yAxis),
    });
    replaceChildren(chart, figure);
  }

  return {
    element,
    update(points: PointRow[]) {
      rows = points;
      render();
    },
  };
}
