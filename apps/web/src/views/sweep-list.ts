import type { QueueStatus, SweepSummary } from '@frontline/contracts';
import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { formatCount, formatDuration, formatRate, formatTime } from '../format.js';
import { confirmDialog, errorBox, isActive, progressBar, statusBadge } from './widgets.js';

const refreshMs = 2_000;

function queueSummary(queues: readonly QueueStatus[]) {
  return queues.map((q) => {
    const threads = q.workers.reduce((n, w) => n + (w.threads ?? 0), 0);
    const busy = q.workers.reduce((n, w) => n + (w.busy ?? 0), 0);
    const stat = (label: string, value: string) =>
      h('div', { class: 'stat' }, h('span', {}, label), h('strong', {}, value));
    return h(
      'div',
      { class: 'stats', 'data-testid': 'queue-summary' },
      stat('Queue', `${q.name}${q.paused ? ' (paused)' : ''}`),
      stat('Waiting', formatCount(q.counts.waiting)),
      stat('Active', formatCount(q.counts.active)),
      stat('Failed', formatCount(q.counts.failed)),
      stat('Workers', `${q.workers.length} (${busy}/${threads} threads busy)`),
      stat('Throughput', formatRate(q.throughput.simulationsPerSecond)),
      stat('Oldest waiting', formatDuration(q.oldestWaitingAgeSeconds)),
    );
  });
}

function sweepRow(sweep: SweepSummary, onDelete: (sweep: SweepSummary) => void) {
  const { progress } = sweep;
  return h(
    'tr',
    { 'data-sweep-id': sweep.id },
    h('td', {}, h('a', { href: `#/sweeps/${sweep.id}` }, sweep.name)),
    h('td', {}, statusBadge(sweep.status)),
    h(
      'td',
      { class: 'progress-cell' },
      progressBar(progress),
      h('small', {}, `${formatCount(progress.done)} / ${formatCount(progress.total)}`),
    ),
    h('td', { class: 'num' }, isActive(sweep.status) ? formatRate(sweep.ratePerSecond) : '–'),
    h('td', { class: 'num' }, isActive(sweep.status) ? formatDuration(sweep.etaSeconds) : '–'),
    h('td', { class: 'num' }, `${formatCount(sweep.points)} × ${formatCount(sweep.patients)}`),
    h('td', {}, formatTime(sweep.createdAt)),
    h(
      'td',
      { class: 'row-actions' },
      h('a', { href: `#/new?from=${sweep.id}`, title: 'A new sweep from this one’s spec' }, 'Clone'),
      ' ',
      // A queued or running sweep must be cancelled first (the API answers 409).
      isActive(sweep.status)
        ? null
        : h(
            'button',
            {
              type: 'button',
              class: 'button secondary small',
              'data-testid': 'delete-sweep',
              onclick: () => onDelete(sweep),
            },
            'Delete',
          ),
    ),
  );
}

/** All sweeps, newest first, with the queue's state; refreshed every 2 s. */
export function sweepListPage(root: HTMLElement): () => void {
  const queuePanel = h('section', { class: 'card' });
  const list = h('section', { class: 'card' });
  replaceChildren(
    root,
    h(
      'div',
      { class: 'page-head' },
      h('h1', {}, 'Sweeps'),
      h('a', { class: 'button', href: '#/new' }, 'New sweep'),
    ),
    queuePanel,
    list,
  );
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function refresh() {
    clearTimeout(timer);
    const [sweeps, queue] = await Promise.allSettled([api.listSweeps(), api.queue()]);
    if (stopped) return;
    if (queue.status === 'fulfilled') replaceChildren(queuePanel, ...queueSummary(queue.value.queues));
    else replaceChildren(queuePanel, errorBox(`Queue status unavailable: ${String(queue.reason)}`));
    if (sweeps.status === 'rejected')
      replaceChildren(list, errorBox(`Could not load sweeps: ${String(sweeps.reason)}`));
    else if (sweeps.value.items.length === 0)
      replaceChildren(
        list,
        h('p', { class: 'muted' }, 'No sweeps yet. ', h('a', { href: '#/new' }, 'Submit one.')),
      );
    else
      replaceChildren(
        list,
        h(
          'table',
          { class: 'table', 'data-testid': 'sweeps-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['Name', 'Status', 'Progress', 'Rate', 'ETA', 'Points × patients', 'Created', ''].map((c) =>
                h('th', {}, c),
              ),
            ),
          ),
          h('tbody', {}, ...sweeps.value.items.map((s) => sweepRow(s, remove))),
        ),
      );
    clearTimeout(timer); // a refresh after a delete may overlap the timer's: keep one timer
    timer = setTimeout(() => void refresh(), refreshMs);
  }
  /** Delete after the user confirms; the list is re-read so the row goes. */
  async function remove(sweep: SweepSummary) {
    const message = `Delete “${sweep.name}” (${sweep.points} points × ${sweep.patients} patients) with its outcomes? This cannot be undone.`;
    if (!(await confirmDialog(message, 'Delete sweep'))) return;
    try {
      await api.deleteSweep(sweep.id);
    } catch (error) {
      alert(`Delete failed: ${(error as Error).message}`);
    }
    if (!stopped) await refresh();
  }

  void refresh();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
