import type { PointRow } from '../api.js';
import { h } from '../dom.js';
import { formatValue } from '../format.js';
import { axisValuesOf, cellText, tableColumns } from '../point-metrics.js';

/** Every point of the sweep: its axis values, then each summary the API reports for it. */
export function pointsTable(rows: readonly PointRow[], axes: readonly string[]) {
  const columns = tableColumns(rows).filter((c) => !axes.includes(c));
  return h(
    'table',
    { class: 'table compact', 'data-testid': 'points-table' },
    h(
      'thead',
      {},
      h('tr', {}, ...axes.map((a) => h('th', { class: 'axis' }, a)), ...columns.map((c) => h('th', {}, c))),
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
          ...columns.map((c) =>
            h('td', { class: typeof row[c] === 'number' ? 'num' : '' }, cellText(row[c])),
          ),
        );
      }),
    ),
  );
}
