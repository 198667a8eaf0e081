import type { SurvivalEndpointName as SurvivalEndpoint, SurvivalResponse } from '@frontline/contracts';
import { formatPValue } from '@frontline/contracts/format';
import { api } from '../api.js';
import { exportButtons, loadingIndicator } from '../charts/figure.js';
import type { TimeUnit } from '../charts/km-data.js';
import { groupLabels } from '../charts/km-data.js';
import { survivalFigure } from '../charts/survival-chart.js';
import { h, replaceChildren } from '../dom.js';
import { formatCount, formatMedianDays, formatValue } from '../format.js';
import { errorBox, select } from './widgets.js';

const endpoints: { value: SurvivalEndpoint; label: string }[] = [
  { value: 'os', label: 'Overall survival (OS)' },
  { value: 'pfs', label: 'Progression-free survival (PFS)' },
  { value: 'mfs', label: 'Metastasis-free survival (MFS)' },
];

function groupTable(survival: SurvivalResponse) {
  const hasLogRank = survival.comparison.method === 'referenceArm';
  const labels = groupLabels(survival.groups);
  return h(
    'table',
    { class: 'table compact', 'data-testid': 'survival-groups' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, 'Group'),
        ...['Patients', 'Events', 'Median (95% CI)', ...(hasLogRank ? ['Log-rank p vs reference'] : [])].map(
          (c) => h('th', { class: 'num' }, c),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      ...survival.groups.map((g, i) =>
        h(
          'tr',
          {},
          h('td', {}, labels[i]),
          h('td', { class: 'num' }, formatCount(g.patients)),
          h('td', { class: 'num' }, formatCount(g.events)),
          h('td', { class: 'num' }, formatMedianDays(g.median, g.patients)),
          hasLogRank ? h('td', { class: 'num' }, formatPValue(g.logRank?.pValue)) : null,
        ),
      ),
    ),
  );
}

function overallTest(survival: SurvivalResponse): string {
  if (survival.comparison.method !== 'allGroups' || !survival.comparison.logRank) return '';
  const { chiSq, df, pValue } = survival.comparison.logRank;
  return `Log-rank across groups: χ² = ${formatValue(chiSq)} on ${df} df, p = ${formatPValue(pValue)}.`;
}

/**
 * Kaplan–Meier curves of a sweep: endpoint, group-by and time unit chosen by the user, refreshed on
 * demand, with a loading state while the API computes them and SVG/PNG export.
 */
export function survivalSection(sweepId: string, axes: readonly string[]) {
  let endpoint: SurvivalEndpoint = 'os';
  let groupBy = axes[0] ?? '';
  let unit: TimeUnit = 'days';
  let shown: SurvivalResponse | undefined;
  let figure: SVGSVGElement | null = null;
  const chart = h(
    'div',
    { class: 'chart', 'data-testid': 'survival-plot' },
    loadingIndicator('Loading survival curves…', 'survival-loading'),
  );
  const groups = h('div', { class: 'table-wrap' });
  const note = h('span', { class: 'muted', 'data-testid': 'survival-note' });
  const busy = h('span', { class: 'busy', 'data-testid': 'survival-busy' });
  const controls = h(
    'div',
    { class: 'controls' },
    select(
      'Endpoint',
      endpoints,
      endpoint,
      (v) => {
        endpoint = v as SurvivalEndpoint;
        void refresh();
      },
      'endpoint',
    ),
    select(
      'Group by',
      [...axes.map((a) => ({ value: a, label: a })), { value: '', label: 'each point' }],
      groupBy,
      (v) => {
        groupBy = v;
        void refresh();
      },
      'group-by',
    ),
    select(
      'Time in',
      [
        { value: 'days', label: 'days' },
        { value: 'months', label: 'months' },
      ],
      unit,
      (v) => {
        unit = v as TimeUnit;
        draw();
      },
      'time-unit',
    ),
    exportButtons(
      () => figure,
      () => `km-${sweepId.slice(0, 8)}-${endpoint}${groupBy ? `-by-${groupBy}` : ''}`,
      'survival',
    ),
    busy,
    note,
  );
  const element = h('section', { class: 'card' }, h('h2', {}, 'Survival'), controls, chart, groups);
  let generation = 0;

  function draw() {
    if (!shown) return;
    const width = Math.max(360, chart.clientWidth || 900);
    figure = survivalFigure(shown.groups, { endpoint: shown.endpoint, unit, width });
    replaceChildren(chart, figure);
  }

  async function refresh() {
    const mine = ++generation;
    // The request can take many seconds on a running sweep: say so instead of leaving the panel blank.
    replaceChildren(busy, loadingIndicator('loading…', 'survival-refreshing'));
    try {
      const survival = await api.survival(sweepId, endpoint, groupBy ? [groupBy] : []);
      if (mine !== generation) return;
      shown = survival;
      draw();
      replaceChildren(groups, groupTable(survival));
      note.textContent = [
        survival.partial ? 'Partial: outcomes are still arriving.' : '',
        overallTest(survival),
      ].join(' ');
    } catch (error) {
      if (mine === generation)
        replaceChildren(chart, errorBox(`Survival curves unavailable: ${(error as Error).message}`));
    } finally {
      if (mine === generation) replaceChildren(busy);
    }
  }
  return { element, refresh };
}
