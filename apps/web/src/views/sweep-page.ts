import type { SweepProgressEvent as ProgressEvent, SweepStatus as SweepDetail } from '@frontline/contracts';
import { allPoints, api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { formatCount, formatDuration, formatRate, formatTime } from '../format.js';
import { pointRows } from '../point-metrics.js';
import { hazardSection } from './hazard-section.js';
import { heatmapSection } from './heatmap-section.js';
import { pointsTableView } from './points-table.js';
import { sensitivitySection } from './sensitivity-section.js';
import { isSampledDesign, sliceView } from './slice-view.js';
import { survivalSection } from './survival-section.js';
import { confirmDialog, errorBox, isActive, progressBar, statusBadge } from './widgets.js';

/** While a sweep runs, curves and tables are re-read at most this often. */
const resultsRefreshMs = 2_500;

function progressCard(state: ProgressEvent) {
  const { progress } = state;
  const stat = (label: string, value: string) =>
    h('div', { class: 'stat' }, h('span', {}, label), h('strong', {}, value));
  return [
    progressBar(progress),
    h(
      'div',
      { class: 'stats' },
      stat('Done', `${formatCount(progress.done)} / ${formatCount(progress.total)}`),
      stat('Reused', formatCount(progress.reused)),
      stat('Failed', formatCount(progress.failed)),
      // An adaptive cohort (docs/adaptive-cohorts.md): the round running and the points still adding patients.
      ...(progress.cohort
        ? [
            stat('Round', String(progress.cohort.round)),
            stat('Points running', formatCount(progress.cohort.pointsRunning)),
          ]
        : []),
      stat('Rate', isActive(state.status) ? formatRate(state.ratePerSecond) : '–'),
      stat('ETA', isActive(state.status) ? formatDuration(state.etaSeconds) : '–'),
    ),
  ];
}

/**
 * One sweep: live progress over SSE, Kaplan–Meier curves, the response heatmap, the per-point table
 * and downloads. Results refresh while the sweep runs and once more when it ends.
 */
export function sweepPage(root: HTMLElement, id: string): () => void {
  let stopped = false;
  let events: EventSource | undefined;
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  let lastRefresh = 0;
  replaceChildren(root, h('p', { class: 'muted' }, 'Loading…'));

  void api.getSweep(id).then(
    (sweep) => {
      if (!stopped) mount(sweep);
    },
    (error: Error) => replaceChildren(root, errorBox(`Could not load sweep ${id}: ${error.message}`)),
  );

  function mount(sweep: SweepDetail) {
    const axes = Object.keys(sweep.spec.design.axes);
    const status = h('span', {}, statusBadge(sweep.status));
    const progress = h('section', { class: 'card', 'data-testid': 'progress' });
    const cancel = h(
      'button',
      { class: 'button secondary', type: 'button', 'data-testid': 'cancel-sweep' },
      'Cancel sweep',
    );
    const remove = h(
      'button',
      { class: 'button secondary', type: 'button', 'data-testid': 'delete-sweep' },
      'Delete',
    );
    const survival = survivalSection(id, axes);
    const hazards = hazardSection(id, axes, sweep.spec.referenceArm ?? null);
    const heatmap = heatmapSection(axes, sweep.spec.design);
    // Sobol indices need the A, B and AB_i points only a saltelli design has; drawn once it ends.
    const sensitivity = sweep.spec.design.kind === 'saltelli' ? sensitivitySection(id) : null;
    const table = pointsTableView(axes, { trial: sweep.modelId === 'lf-tid@2' });
    const tableNote = h('div', { 'data-testid': 'points-note' });
    const slices = isSampledDesign(sweep.spec) ? sliceView(sweep.spec) : null;
    const warnings = JSON.parse(sessionStorage.getItem(`warnings:${id}`) ?? '[]') as string[];

    const downloads = h(
      'div',
      { class: 'downloads' },
      h(
        'a',
        {
          class: 'button secondary',
          href: api.outcomesUrl(id, 'csv'),
          download: `${id}.csv`,
          'data-testid': 'download-csv',
        },
        'Download CSV',
      ),
      h(
        'a',
        {
          class: 'button secondary',
          href: api.outcomesUrl(id, 'parquet'),
          download: `${id}.parquet`,
          'data-testid': 'download-parquet',
        },
        'Download Parquet',
      ),
    );
    replaceChildren(
      root,
      h(
        'div',
        { class: 'page-head' },
        h('h1', {}, sweep.name, ' ', status),
        h(
          'div',
          { class: 'head-actions' },
          isActive(sweep.status) ? cancel : remove,
          h(
            'a',
            { class: 'button secondary', href: `#/new?from=${id}`, 'data-testid': 'clone-sweep' },
            'Clone',
          ),
          h(
            'a',
            { class: 'button secondary', href: `#/compare/${id}`, 'data-testid': 'compare-sweep' },
            'Compare',
          ),
          downloads,
        ),
      ),
      h(
        'p',
        { class: 'muted' },
        `${sweep.spec.design.kind} design · ${formatCount(sweep.points)} points × ${formatCount(sweep.patients)} patients · created ${formatTime(sweep.createdAt)}`,
      ),
      warnings.length > 0 ? h('div', { class: 'alert warn' }, ...warnings.map((w) => h('div', {}, w))) : null,
      progress,
      survival.element,
      hazards.element,
      heatmap.element,
      sensitivity?.element,
      slices?.element,
      h('section', { class: 'card' }, h('h2', {}, 'Points'), tableNote, table.element),
    );

    const showProgress = (state: ProgressEvent) => {
      replaceChildren(progress, ...progressCard(state));
      replaceChildren(status, statusBadge(state.status));
      if (!isActive(state.status) && cancel.isConnected) cancel.replaceWith(remove);
    };
    showProgress(sweep);

    async function refreshResults() {
      lastRefresh = Date.now();
      const loading = (loaded: number, total: number) => {
        if (loaded < total)
          replaceChildren(tableNote, h('small', { class: 'muted' }, `Loading points ${loaded} / ${total}…`));
      };
      const [, points] = await Promise.all([
        // Hazard ratios after the curves, so they never hold up the survival answer.
        survival.refresh().then(() => void hazards.refresh()),
        allPoints(id, loading).catch((e: Error) => e),
      ]);
      if (stopped) return;
      if (points instanceof Error) {
        replaceChildren(tableNote, errorBox(`Points unavailable: ${points.message}`));
        return;
      }
      replaceChildren(tableNote);
      const rows = pointRows(points);
      heatmap.update(rows);
      slices?.update(rows);
      table.update(rows);
    }
    const scheduleRefresh = () => {
      if (refreshTimer !== undefined) return;
      const wait = Math.max(0, lastRefresh + resultsRefreshMs - Date.now());
      refreshTimer = setTimeout(() => {
        refreshTimer = undefined;
        void refreshResults();
      }, wait);
    };
    const firstResults = refreshResults();
    // Marks an ended sweep whose final results are drawn (for tests and anyone scripting the page).
    const markEnded = (status: string) => {
      if (!stopped) root.dataset.sweepEnded = status;
    };

    remove.addEventListener('click', async () => {
      if (
        !(await confirmDialog(
          `Delete “${sweep.name}” with its outcomes? This cannot be undone.`,
          'Delete sweep',
        ))
      )
        return;
      remove.setAttribute('disabled', '');
      api.deleteSweep(id).then(
        () => {
          location.hash = '#/';
        },
        (error: Error) => {
          remove.removeAttribute('disabled');
          alert(`Delete failed: ${error.message}`);
        },
      );
    });

    cancel.addEventListener('click', async () => {
      if (!(await confirmDialog(`Cancel “${sweep.name}”? Finished outcomes are kept.`, 'Cancel sweep')))
        return;
      cancel.setAttribute('disabled', '');
      void api.cancelSweep(id).then(showProgress, (error: Error) => {
        cancel.removeAttribute('disabled');
        alert(`Cancel failed: ${error.message}`);
      });
    });

    if (!isActive(sweep.status)) {
      void Promise.all([firstResults, sensitivity?.refresh()]).then(() => markEnded(sweep.status));
      return;
    }
    events = new EventSource(api.eventsUrl(id));
    let lastDone = sweep.progress.done;
    events.addEventListener('progress', (event) => {
      const state = JSON.parse((event as MessageEvent<string>).data) as ProgressEvent;
      showProgress(state);
      if (state.progress.done !== lastDone) {
        lastDone = state.progress.done;
        scheduleRefresh();
      }
    });
    events.addEventListener('end', (event) => {
      events?.close(); // the server closes the stream; without this EventSource would reconnect
      const state = JSON.parse((event as MessageEvent<string>).data) as ProgressEvent;
      showProgress(state);
      clearTimeout(refreshTimer);
      refreshTimer = undefined;
      void Promise.all([refreshResults(), sensitivity?.refresh()]).then(() => markEnded(state.status));
    });
  }

  return () => {
    stopped = true;
    events?.close();
    clearTimeout(refreshTimer);
  };
}
