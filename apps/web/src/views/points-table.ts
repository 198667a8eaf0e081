import type { PointRow } from '@frontline/contracts';
import { h } from '../dom.js';
import { formatValue } from '../format.js';
import { axisValuesOf, pointColumns } from '../point-metrics.js';

/** Every point of the sweep: its axis values, then its survival and response summaries. */
export function pointsTable(rows: readonly PointRow[], axes: readonly string[]) {
  return h(
    'table',
    { class: 'table compact', 'data-testid': 'points-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...axes.map((a) => h('th', { class: 'axis' }, a)),
        ...pointColumns.map((c) => h('th', { class: c.numeric ? 'num' : '' }, c.label)),
      ),
    ),
    h(
      'tbody',
      {},
      ...rows.map((row) => {
        const values = axisValuesOf(row, axes);
        return h(
          'tr',
          {},
          ...axes.map((a) => h('td', { class: 'num axis' }, formatValue(values[a]))),
          ...pointColumns.map((c) => h('td', { class: c.numeric ? 'num' : '' }, c.text(row))),
        );
      }),
    ),
  );
}
