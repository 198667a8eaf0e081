import type { PowerResponse } from '@frontline/contracts';
import * as Plot from '@observablehq/plot';
import { composeFigure } from './figure.js';

/**
 * Power curve: Monte Carlo power of the virtual trials against patients per arm, with its Clopper–Pearson
 * band, Schoenfeld's approximation dashed beside it and the conventional 80% line.
 */
export function powerFigure(answer: PowerResponse, width: number): SVGSVGElement {
  const rows = answer.rows;
  const schoenfeld = rows.filter((r) => r.schoenfeld !== null);
  const plot = Plot.plot({
    width,
    height: 300,
    marginLeft: 50,
    marginBottom: 40,
    x: { label: 'Patients per arm', grid: true },
    y: { domain: [0, 1], label: 'Power', tickFormat: '.0%', grid: true },
    marks: [
      Plot.areaY(rows, { x: 'patientsPerArm', y1: 'lower', y2: 'upper', fill: '#1f4e79', fillOpacity: 0.15 }),
      Plot.ruleY([0.8], { stroke: '#b91c1c', strokeDasharray: '5,3', className: 'power-80' }),
      Plot.text([0.8], {
        y: (d: number) => d,
        text: () => '80%',
        frameAnchor: 'left',
        dx: 4,
        dy: -7,
        fill: '#b91c1c',
      }),
      Plot.line(schoenfeld, {
        x: 'patientsPerArm',
        y: 'schoenfeld',
        stroke: '#6b7280',
        strokeDasharray: '2,3',
      }),
      Plot.line(rows, { x: 'patientsPerArm', y: 'power', stroke: '#1f4e79', strokeWidth: 2 }),
      Plot.dot(rows, { x: 'patientsPerArm', y: 'power', fill: '#1f4e79', r: 4, className: 'power-points' }),
    ],
  }) as SVGSVGElement;
  const height = Number(plot.getAttribute('height'));
  return composeFigure(
    width,
    height,
    [{ element: plot, x: 0, y: 0 }],
    `Virtual-trial power (${rows[0]?.replicates ?? 0} trials per size; dashed: Schoenfeld)`,
  );
}
