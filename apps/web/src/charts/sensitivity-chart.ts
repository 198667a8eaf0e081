import type { SensitivityResponse } from '@frontline/contracts';
import { svgElement } from './figure.js';

/**
 * Sobol indices as grouped horizontal bars: per axis a first-order bar and a total bar, each with
 * its bootstrap interval as a whisker. One standalone SVG (exportable like the other charts); each
 * bar carries its index in `data-value` (and the interval in `data-lower` / `data-upper`), so what
 * is drawn can be checked against the API.
 */

const colours = { first: '#2563eb', total: '#f59e0b' } as const;
const kinds = ['first', 'total'] as const;

export function sensitivityFigure(response: SensitivityResponse, width = 640): SVGSVGElement {
  const margin = { top: 30, right: 20, bottom: 36, left: 120 };
  const barHeight = 14;
  const groupHeight = 2 * barHeight + 16;
  const plotHeight = response.axes.length * groupHeight;
  const height = margin.top + plotHeight + margin.bottom;
  const estimates = response.axes.flatMap((a) => [a.first, a.total]);
  // The scale covers [0, 1] and any estimate or interval outside it (negative first-order estimates
  // and totals above 1 happen with few rows or much cohort noise).
  const low = Math.min(0, ...estimates.map((e) => e.lower));
  const high = Math.max(1, ...estimates.map((e) => e.upper));
  const plotWidth = width - margin.left - margin.right;
  const x = (v: number) => margin.left + ((v - low) / (high - low)) * plotWidth;

  const figure = svgElement('svg', {
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    'font-family': 'system-ui, sans-serif',
    'font-size': 11,
    role: 'img',
    class: 'figure',
  });
  figure.append(
    svgElement('title', {}, 'Sobol sensitivity indices'),
    svgElement('rect', { width, height, fill: 'white' }),
  );

  // Legend.
  kinds.forEach((kind, i) => {
    const lx = margin.left + i * 150;
    figure.append(
      svgElement('rect', { x: lx, y: 8, width: 12, height: 12, fill: colours[kind] }),
      svgElement('text', { x: lx + 18, y: 18, fill: '#111827' }, kind === 'first' ? 'first order' : 'total'),
    );
  });
  figure.append(
    svgElement(
      'text',
      { x: margin.left + 300, y: 18, fill: '#6b7280' },
      `whiskers: ${Math.round(response.bootstrap.level * 100)}% bootstrap interval`,
    ),
  );

  // Grid and ticks every 0.2 over the scale.
  const axisY = margin.top + plotHeight;
  for (let t = Math.ceil(low * 5) / 5; t <= high + 1e-9; t += 0.2) {
    const tx = x(t);
    figure.append(
      svgElement('line', {
        x1: tx,
        x2: tx,
        y1: margin.top,
        y2: axisY,
        stroke: Math.abs(t) < 1e-9 ? '#374151' : '#e5e7eb',
      }),
      svgElement('text', { x: tx, y: axisY + 14, 'text-anchor': 'middle', fill: '#374151' }, t.toFixed(1)),
    );
  }
  figure.append(
    svgElement(
      'text',
      { x: margin.left + plotWidth / 2, y: axisY + 30, 'text-anchor': 'middle', fill: '#111827' },
      'share of the metric’s variance',
    ),
  );

  const bars = svgElement('g', { class: 'bars' });
  response.axes.forEach((axis, i) => {
    const groupY = margin.top + i * groupHeight + 8;
    bars.append(
      svgElement(
        'text',
        { x: margin.left - 8, y: groupY + barHeight + 4, 'text-anchor': 'end', fill: '#111827' },
        axis.axis,
      ),
    );
    kinds.forEach((kind, k) => {
      const estimate = axis[kind];
      const y = groupY + k * barHeight;
      const x0 = x(Math.min(0, estimate.value));
      const bar = svgElement('rect', {
        x: x0,
        y,
        width: Math.abs(x(estimate.value) - x(0)),
        height: barHeight - 2,
        fill: colours[kind],
        class: 'bar',
        'data-axis': axis.axis,
        'data-kind': kind,
        'data-value': estimate.value,
        'data-lower': estimate.lower,
        'data-upper': estimate.upper,
      });
      bar.append(
        svgElement(
          'title',
          {},
          `${axis.axis} ${kind}: ${estimate.value.toFixed(3)} (${estimate.lower.toFixed(3)}–${estimate.upper.toFixed(3)})`,
        ),
      );
      const mid = y + (barHeight - 2) / 2;
      const whisker = svgElement('g', { class: 'interval', stroke: '#111827' });
      whisker.append(
        svgElement('line', { x1: x(estimate.lower), x2: x(estimate.upper), y1: mid, y2: mid }),
        svgElement('line', { x1: x(estimate.lower), x2: x(estimate.lower), y1: mid - 4, y2: mid + 4 }),
        svgElement('line', { x1: x(estimate.upper), x2: x(estimate.upper), y1: mid - 4, y2: mid + 4 }),
      );
      bars.append(bar, whisker);
    });
  });
  figure.append(bars);
  return figure;
}
