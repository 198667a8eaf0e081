import type { PointRow } from '@frontline/contracts';
import { type HeatmapCell, heatmapChart } from '../charts/heatmap.js';
import { h, replaceChildren } from '../dom.js';
import { formatValue } from '../format.js';
import { axisValuesOf, heatmapMetrics } from '../point-metrics.js';
import { select } from './widgets.js';

/**
 * Median OS (or OS at 24 months) over two chosen axes, at a chosen value of every other axis. Needs
 * a grid: sampled designs have no slices to hold fixed.
 */
export function heatmapSection(axes: readonly string[], isGrid: boolean) {
  let metric = heatmapMetrics[0]!;
  let xAxis = axes[0] ?? '';
  let yAxis = axes[1] ?? '';
  const sliceValue = new Map<string, number>();
  let rows: PointRow[] = [];
  const chart = h('div', { class: 'chart', 'data-testid': 'heatmap' });
  const controls = h('div', { class: 'controls' });
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
            return select(
              `at ${axis} =`,
              values.map((v) => ({ value: String(v), label: formatValue(v) })),
              String(current),
              (v) => {
                sliceValue.set(axis, Number(v));
                render();
              },
              `heatmap-slice-${axis}`,
            );
          })
        : []),
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
      cells.push({ x, y: yAxis ? (values[yAxis] ?? '') : metric.label, value: metric.read(row) });
    }
    if (cells.length === 0) {
      replaceChildren(chart, h('p', { class: 'muted' }, 'No points yet.'));
      return;
    }
    replaceChildren(
      chart,
      heatmapChart(cells, {
        xLabel: xAxis,
        yLabel: yAxis || '',
        valueLabel: metric.label,
        format: metric.format,
        percent: metric.percent,
        width: Math.max(
          360,
          Math.min(chart.clientWidth || 900, 120 + 110 * new Set(cells.map((c) => c.x)).size),
        ),
        grid: isGrid,
      }),
    );
  }

  return {
    element,
    update(points: PointRow[]) {
      rows = points;
      render();
    },
  };
}
