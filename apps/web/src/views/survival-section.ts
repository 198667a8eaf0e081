import type { SurvivalEndpointName as SurvivalEndpoint, SurvivalResponse } from '@frontline/contracts';
import { api } from '../api.js';
import { groupLabel, survivalChart } from '../charts/survival-chart.js';
import { h, replaceChildren } from '../dom.js';
import { formatCount, formatDays, formatValue } from '../format.js';
import { errorBox, select } from './widgets.js';

const endpoints: { value: SurvivalEndpoint; label: string }[] = [
  { value: 'os', label: 'Overall survival (OS)' },
  { value: 'pfs', label: 'Progression-free survival (PFS)' },
  { value: 'mfs', label: 'Metastasis-free survival (MFS)' },
];

function groupTable(survival: SurvivalResponse) {
  const hasLogRank = survival.comparison.method === 'referenceArm';
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
      ...survival.groups.map((g) =>
        h(
          'tr',
          {},
          h('td', {}, groupLabel(g.key)),
          h('td', { class: 'num' }, formatCount(g.patients)),
          h('td', { class: 'num' }, formatCount(g.events)),
          h(
            'td',
            { class: 'num' },
            g.median
              ? `${formatDays(g.median.value)} (${formatDays(g.median.lower)}–${formatDays(g.median.upper)})`
              : '–',
          ),
          hasLogRank ? h('td', { class: 'num' }, formatValue(g.logRank?.pValue)) : null,
        ),
      ),
    ),
  );
}

function overallTest(survival: SurvivalResponse): string {
  if (survival.comparison.method !== 'allGroups' || !survival.comparison.logRank) return '';
  const { chiSq, df, pValue } = survival.comparison.logRank;
  return `Log-rank across groups: χ² = ${formatValue(chiSq)} on ${df} df, p = ${formatValue(pValue)}.`;
}

/** Kaplan–Meier curves of a sweep: endpoint and group-by chosen by the user, refreshed on demand. */
export function survivalSection(sweepId: string, axes: readonly string[]) {
  let endpoint: SurvivalEndpoint = 'os';
  let groupBy = axes[0] ?? '';
  const chart = h('div', { class: 'chart', 'data-testid': 'survival-plot' });
  const groups = h('div', { class: 'table-wrap' });
  const note = h('span', { class: 'muted', 'data-testid': 'survival-note' });
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
    note,
  );
  const element = h('section', { class: 'card' }, h('h2', {}, 'Survival'), controls, chart, groups);
  let generation = 0;

  async function refresh() {
    const mine = ++generation;
    try {
      const survival = await api.survival(sweepId, endpoint, groupBy ? [groupBy] : []);
      if (mine !== generation) return;
      const width = Math.max(360, chart.clientWidth || 900);
      replaceChildren(chart, survivalChart(survival.groups, endpoint, width));
      replaceChildren(groups, groupTable(survival));
      note.textContent = [
        survival.partial ? 'Partial: outcomes are still arriving.' : '',
        overallTest(survival),
      ].join(' ');
    } catch (error) {
      if (mine === generation)
        replaceChildren(chart, errorBox(`Survival curves unavailable: ${(error as Error).message}`));
    }
  }
  return { element, refresh };
}
