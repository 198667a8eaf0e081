import type { SensitivityMetric, SensitivityResponse } from '@frontline/contracts';
import { api } from '../api.js';
import { exportButtons, loadingIndicator } from '../charts/figure.js';
import { sensitivityFigure } from '../charts/sensitivity-chart.js';
import { h, replaceChildren } from '../dom.js';
import { errorBox, select } from './widgets.js';

// Every metric the route answers (a type-only import keeps zod out of the bundle).
const metricLabels: Record<SensitivityMetric, string> = {
  survivalAt: 'OS at 24 months',
  rmst: 'OS restricted mean',
  median: 'Median OS',
  curedFraction: 'Cured fraction',
  objectiveResponse: 'Objective response rate',
};

/**
 * Sobol first-order and total indices per axis of a saltelli sweep, with their intervals, and the
 * cohort-noise share (a warning when it biases the indices). Drawn once the sweep has finished: the
 * API refuses partial designs.
 */
export function sensitivitySection(id: string) {
  let metric: SensitivityMetric = 'survivalAt';
  let figure: SVGSVGElement | null = null;
  const chart = h(
    'div',
    { class: 'chart', 'data-testid': 'sensitivity' },
    h('p', { class: 'muted' }, 'The indices are computed once every point of the design has its outcomes.'),
  );
  const note = h('div', { 'data-testid': 'sensitivity-note' });
  const controls = h(
    'div',
    { class: 'controls' },
    select(
      'Metric',
      (Object.keys(metricLabels) as SensitivityMetric[]).map((m) => ({ value: m, label: metricLabels[m] })),
      metric,
      (value) => {
        metric = value as SensitivityMetric;
        void refresh();
      },
      'sensitivity-metric',
    ),
    exportButtons(
      () => figure,
      () => `sensitivity-${id}-${metric}`,
      'sensitivity',
    ),
  );
  const element = h(
    'section',
    { class: 'card' },
    h('h2', {}, 'Sensitivity (Sobol indices)'),
    controls,
    chart,
    note,
  );

  function show(response: SensitivityResponse) {
    figure = sensitivityFigure(response);
    replaceChildren(chart, figure);
    const { cohortNoise } = response;
    replaceChildren(
      note,
      h(
        'p',
        { class: 'muted', 'data-testid': 'sensitivity-noise' },
        `Cohort noise: ${(100 * cohortNoise.share).toFixed(1)}% of the metric’s variance across points · ` +
          `${response.samples} base rows × ${response.patients} patients`,
      ),
      response.warnings.length > 0
        ? h('div', { class: 'alert warn' }, ...response.warnings.map((w) => h('div', {}, w)))
        : null,
    );
  }

  async function refresh() {
    replaceChildren(chart, loadingIndicator('Computing indices…', 'sensitivity-loading'));
    replaceChildren(note);
    try {
      show(await api.sensitivity(id, metric));
    } catch (error) {
      figure = null;
      replaceChildren(chart, errorBox(`Indices unavailable: ${(error as Error).message}`));
    }
  }

  return { element, refresh };
}
