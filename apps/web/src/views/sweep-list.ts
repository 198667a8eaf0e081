import type { QueueStatus, SweepSummary } from '@frontline/contracts';
import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { formatCount, formatDuration, formatRate, formatTime } from '../format.js';
import { errorBox, isActive, progressBar, statusBadge } from './widgets.js';

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

function sweepRow(sweep: SweepSummary) {
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
              ...['Name', 'Status', 'Progress', 'Rate', 'ETA', 'Points × patients', 'Created'].map((c) =>
                h('th', {}, c),
              ),
            ),
          ),
          h('tbody', {}, ...sweeps.value.items.map(sweepRow)),
        ),
      );
    timer = setTimeout(() => void refresh(), refreshMs);
  }
  void refresh();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
