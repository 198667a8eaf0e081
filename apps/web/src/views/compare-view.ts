import type {
  SurvivalEndpointName,
  SurvivalGroup,
  SurvivalResponse,
  SweepSummary,
} from '@frontline/contracts';
import * as Plot from '@observablehq/plot';
import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { formatDays, formatValue } from '../format.js';
import { errorBox, select } from './widgets.js';

const endpoints: readonly { value: SurvivalEndpointName; label: string }[] = [
  { value: 'os', label: 'Overall survival' },
  { value: 'pfs', label: 'Progression-free survival' },
];

const axesOf = (sweep: SweepSummary) => Object.keys(sweep.spec.design.axes);

const groupLabel = (group: SurvivalGroup, axis: string | undefined) =>
  axis === undefined
    ? `point ${group.pointIndex ?? '?'}`
    : group.ranges?.[axis]
      ? `${axis} ${formatValue(group.ranges[axis][0])}–${formatValue(group.ranges[axis][1])}`
      : `${axis} = ${formatValue(group.key[axis])}`;

function curveRows(response: SurvivalResponse, axis: string | undefined) {
  return response.groups.flatMap((group) => {
    const label = groupLabel(group, axis);
    const { time, survival } = group.curve;
    // Every curve starts at S(0) = 1.
    return [{ time: 0, survival: 1, group: label }].concat(
      time.map((t, i) => ({ time: t, survival: survival[i] ?? Number.NaN, group: label })),
    );
  });
}

/**
 * Two sweeps of the tenant side by side: Kaplan–Meier curves of each, grouped by an axis both
 * share, on the same time and survival scales and the same colour per group value.
 */
export function compareView(root: HTMLElement, firstId: string, secondId?: string): () => void {
  let stopped = false;
  let sweeps: SweepSummary[] = [];
  let endpoint: SurvivalEndpointName = 'os';
  let axis: string | undefined;
  let second = secondId;
  const controls = h('div', { class: 'controls' });
  const plots = h('div', { class: 'compare-plots', 'data-testid': 'compare-plots' });
  replaceChildren(
    root,
    h(
      'div',
      { class: 'page-head' },
      h('h1', {}, 'Compare sweeps'),
      h('a', { href: `#/sweeps/${firstId}` }, '← back'),
    ),
    h('section', { class: 'card' }, controls, plots),
  );

  const first = () => sweeps.find((s) => s.id === firstId);
  const other = () => sweeps.find((s) => s.id === second);
  const sharedAxes = () => {
    const a = first();
    const b = other();
    return a && b ? axesOf(a).filter((x) => axesOf(b).includes(x)) : [];
  };

  function drawControls() {
    const shared = sharedAxes();
    if (axis === undefined || !shared.includes(axis)) axis = shared[0];
    replaceChildren(
      controls,
      select(
        'Compare with',
        [
          { value: '', label: '— pick a sweep —' },
          ...sweeps
            .filter((s) => s.id !== firstId)
            .map((s) => ({ value: s.id, label: `${s.name} (${s.status})` })),
        ],
        second ?? '',
        (id) => {
          second = id || undefined;
          history.replaceState(null, '', `#/compare/${firstId}${second ? `/${second}` : ''}`);
          drawControls();
          void drawCurves();
        },
        'compare-with',
      ),
      select('Endpoint', endpoints, endpoint, (value) => {
        endpoint = value as SurvivalEndpointName;
        void drawCurves();
      }),
      shared.length > 0
        ? select(
            'Group by (shared axis)',
            shared.map((a) => ({ value: a, label: a })),
            axis ?? '',
            (value) => {
              axis = value;
              void drawCurves();
            },
            'compare-group-by',
          )
        : h('small', { class: 'muted' }, 'No axis in common: each point is its own curve.'),
    );
  }

  async function drawCurves() {
    const a = first();
    const b = other();
    if (!a || !b) {
      replaceChildren(plots, h('p', { class: 'muted' }, 'Pick a second sweep to compare with.'));
      return;
    }
    replaceChildren(plots, h('p', { class: 'muted' }, 'Loading curves…'));
    const groupBy = axis ? [axis] : [];
    const responses = await Promise.all([a, b].map((s) => api.survival(s.id, endpoint, groupBy))).catch(
      (error: Error) => error,
    );
    if (stopped) return;
    if (responses instanceof Error) {
      replaceChildren(plots, errorBox(`Curves unavailable: ${responses.message}`));
      return;
    }
    const rows = responses.map((r) => curveRows(r, axis));
    const groups = [...new Set(rows.flat().map((r) => r.group))];
    const maxTime = Math.max(1, ...rows.flat().map((r) => r.time));
    replaceChildren(
      plots,
      ...[a, b].map((sweep, i) =>
        h(
          'div',
          { 'data-testid': `compare-${i === 0 ? 'first' : 'second'}`, 'data-sweep-id': sweep.id },
          h('h2', {}, sweep.name),
          h(
            'small',
            { class: 'muted' },
            `${sweep.spec.design.kind} · ${sweep.points} points × ${sweep.patients} patients`,
            responses[i]?.partial ? ' · partial (still running)' : '',
          ),
          Plot.plot({
            width: 500,
            height: 300,
            x: { label: 'days', domain: [0, maxTime], tickFormat: (d: number) => formatDays(d) },
            y: { label: `${endpoint.toUpperCase()} S(t)`, domain: [0, 1], grid: true },
            color: { domain: groups, legend: true, type: 'categorical' },
            marks: [
              Plot.line(rows[i] ?? [], {
                x: 'time',
                y: 'survival',
                stroke: 'group',
                strokeWidth: 1.6,
                curve: 'step-after',
              }),
            ],
          }),
        ),
      ),
    );
    root.dataset.compareDrawn = `${a.id}/${b.id}`;
  }

  void api.listSweeps(200).then(
    (list) => {
      if (stopped) return;
      sweeps = list.items;
      if (!first()) {
        replaceChildren(plots, errorBox(`No sweep ${firstId} among this tenant's latest 200.`));
        return;
      }
      drawControls();
      void drawCurves();
    },
    (error: Error) => replaceChildren(plots, errorBox(`Could not load sweeps: ${error.message}`)),
  );
  return () => {
    stopped = true;
    delete root.dataset.compareDrawn;
  };
}
