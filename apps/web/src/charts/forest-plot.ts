import type { HazardRatiosResponse } from '@frontline/contracts';
import { formatPValue } from '@frontline/contracts/format';
import * as Plot from '@observablehq/plot';
import { composeFigure } from './figure.js';
import { groupLabel } from './survival-chart.js';

const ratio = (value: number | null) => (value === null ? 'NA' : value.toFixed(2));

/** `0.62 (0.51–0.75)`: a hazard ratio as it is reported; `reference` for the reference arm. */
export function hazardRatioText(row: HazardRatiosResponse['groups'][number]): string {
  if (row.reference) return 'reference';
  if (row.hazardRatio === null) return 'no estimate';
  return `${ratio(row.hazardRatio)} (${ratio(row.lower)}–${ratio(row.upper)})`;
}

interface ForestRow {
  arm: string;
  hr: number | null;
  lower: number | null;
  upper: number | null;
  text: string;
  p: string;
}

/**
 * Forest plot: each arm's hazard ratio against the reference with its 95% CI on a log axis, the line of
 * no effect at 1, and the numbers written beside each row (as a paper's figure carries them).
 */
export function forestFigure(answer: HazardRatiosResponse, width: number): SVGSVGElement {
  const rows: ForestRow[] = answer.groups.map((g) => ({
    arm: groupLabel(g.key),
    hr: g.reference ? 1 : g.hazardRatio,
    lower: g.lower,
    upper: g.upper,
    text: hazardRatioText(g),
    p: g.reference || g.pValue === null ? '' : `p = ${formatPValue(g.pValue)}`,
  }));
  const values = rows
    .flatMap((r) => [r.hr, r.lower, r.upper])
    .filter((v): v is number => v !== null && v > 0);
  const low = Math.min(0.5, ...values) * 0.9;
  const high = Math.max(2, ...values) * 1.1;
  const rowHeight = 28;
  const plot = Plot.plot({
    width,
    height: 50 + rowHeight * rows.length,
    marginLeft: Math.min(220, 20 + Math.max(...rows.map((r) => r.arm.length)) * 6.5),
    marginRight: 210,
    x: {
      type: 'log',
      domain: [low, high],
      ticks: [0.05, 0.1, 0.2, 0.25, 0.5, 0.75, 1, 1.5, 2, 4, 10, 20].filter((t) => t >= low && t <= high),
      tickFormat: (t: number) => String(t),
      label: `Hazard ratio vs ${groupLabel(answer.referenceArm)} (log scale)`,
      grid: true,
    },
    y: { domain: rows.map((r) => r.arm), label: null },
    marks: [
      Plot.ruleX([1], { stroke: '#6b7280', strokeDasharray: '4,3' }),
      Plot.link(
        rows.filter((r) => r.lower !== null && r.upper !== null),
        {
          x1: 'lower',
          x2: 'upper',
          y1: 'arm',
          y2: 'arm',
          stroke: '#1f4e79',
          strokeWidth: 2,
          className: 'hr-intervals',
        },
      ),
      Plot.dot(
        rows.filter((r) => r.hr !== null),
        { x: 'hr', y: 'arm', r: 5, fill: '#1f4e79', symbol: 'square', className: 'hr-points' },
      ),
      Plot.text(rows, {
        y: 'arm',
        text: 'text',
        frameAnchor: 'right',
        textAnchor: 'start',
        dx: 12,
        fontSize: 11,
        className: 'hr-labels',
      }),
      Plot.text(rows, {
        y: 'arm',
        text: 'p',
        frameAnchor: 'right',
        textAnchor: 'start',
        dx: 140,
        fontSize: 11,
        fill: '#4b5563',
        className: 'hr-p',
      }),
    ],
  }) as SVGSVGElement;
  const height = Number(plot.getAttribute('height'));
  return composeFigure(
    width,
    height,
    [{ element: plot, x: 0, y: 0 }],
    `Forest plot: ${answer.endpoint.toUpperCase()} hazard ratios`,
  );
}
