import type { SweepProgress, SweepState } from '@frontline/contracts';
import { h } from '../dom.js';
import { formatCount } from '../format.js';

export function statusBadge(status: SweepState) {
  return h('span', { class: `badge badge-${status}`, 'data-testid': 'status' }, status);
}

export function progressBar(progress: SweepProgress) {
  const fraction = progress.total > 0 ? progress.done / progress.total : 0;
  const failed = progress.total > 0 ? progress.failed / progress.total : 0;
  return h(
    'div',
    {
      class: 'progress',
      role: 'progressbar',
      'aria-valuemin': 0,
      'aria-valuemax': progress.total,
      'aria-valuenow': progress.done,
      title: `${formatCount(progress.done)} of ${formatCount(progress.total)} simulations`,
    },
    h('div', { class: 'progress-done', style: `width:${(fraction * 100).toFixed(2)}%` }),
    failed > 0 ? h('div', { class: 'progress-failed', style: `width:${(failed * 100).toFixed(2)}%` }) : null,
  );
}

export function select(
  label: string,
  options: readonly { value: string; label: string }[],
  value: string,
  onChange: (value: string) => void,
  testId?: string,
) {
  const control = h(
    'select',
    {
      'data-testid': testId,
      onchange: (event: Event) => onChange((event.target as HTMLSelectElement).value),
    },
    ...options.map((o) => h('option', { value: o.value, selected: o.value === value }, o.label)),
  );
  return h('label', { class: 'control' }, h('span', {}, label), control);
}

export function errorBox(message: string) {
  return h('div', { class: 'alert', role: 'alert' }, message);
}

export const isActive = (status: SweepState) => status === 'queued' || status === 'running';

/**
 * Ask before something that cannot be undone (cancel, delete): a modal dialog that resolves true only
 * when the user presses the confirming button; Escape or "Keep" resolve false.
 */
export function confirmDialog(message: string, confirmLabel: string): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = h(
      'dialog',
      { class: 'card confirm', 'data-testid': 'confirm-dialog' },
      h('p', {}, message),
      h(
        'form',
        { method: 'dialog', class: 'actions' },
        h('button', { class: 'button secondary', value: 'keep', 'data-testid': 'confirm-keep' }, 'Keep'),
        h('button', { class: 'button danger', value: 'confirm', 'data-testid': 'confirm-yes' }, confirmLabel),
      ),
    );
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(dialog.returnValue === 'confirm');
    });
    document.body.appendChild(dialog);
    dialog.showModal();
  });
}
