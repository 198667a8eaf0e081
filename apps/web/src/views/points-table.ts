import type { PointRow } from '@frontline/contracts';
import { h, replaceChildren } from '../dom.js';
import { formatCount } from '../format.js';
import {
  filterRows,
  sortRows,
  type TableFilter,
  type TableSort,
  tableColumns,
} from '../points-table-model.js';

/** Rows drawn at once; filtering narrows a larger sweep (every row is sorted and filtered). */
const maxDrawnRows = 1_000;

const numberOrUndefined = (text: string) => {
  const value = Number(text);
  return text.trim() === '' || !Number.isFinite(value) ? undefined : value;
};

/**
 * Every point of the sweep: its axis values, then its survival and response summaries. Click a
 * header to sort (again to reverse); filter by text and by a range per axis. The table scrolls inside
 * its box under a sticky header. Sort and filters survive `update` (the refresh of a running sweep).
 */
export function pointsTableView(axes: readonly string[], { trial = false } = {}) {
  const columns = tableColumns(axes, { trial });
  let rows: readonly PointRow[] = [];
  let sort: TableSort | null = null;
  const filter: TableFilter = { text: '', ranges: {} };

  const count = h('span', { class: 'muted', 'data-testid': 'points-count' });
  const tableBox = h('div', { class: 'table-scroll', 'data-testid': 'points-scroll' });
  const textFilter = h('input', {
    type: 'search',
    placeholder: 'Filter rows (any column)',
    'data-testid': 'points-filter',
    oninput: (event: Event) => {
      filter.text = (event.target as HTMLInputElement).value;
      draw();
    },
  });
  const rangeFilters = axes.map((axis) => {
    const id = `axis:${axis}`;
    const bound = (which: 'min' | 'max') =>
      h('input', {
        type: 'text',
        inputmode: 'decimal',
        size: 6,
        placeholder: which,
        'data-testid': `points-${which}-${axis}`,
        oninput: (event: Event) => {
          const range = { ...filter.ranges[id] };
          range[which] = numberOrUndefined((event.target as HTMLInputElement).value);
          filter.ranges[id] = range;
          draw();
        },
      });
    return h('label', { class: 'range-filter' }, h('span', {}, axis), bound('min'), '–', bound('max'));
  });

  function header() {
    return h(
      'tr',
      {},
      ...columns.map((column) => {
        const sorted = sort?.column === column.id;
        return h(
          'th',
          {
            class: `sortable${column.axis ? ' axis' : ''}`,
            'aria-sort': sorted ? (sort?.descending ? 'descending' : 'ascending') : 'none',
            'data-column': column.id,
            title: 'Sort by this column',
            onclick: () => {
              sort = { column: column.id, descending: sorted ? !sort?.descending : false };
              draw();
            },
          },
          column.label,
          sorted ? (sort?.descending ? ' ▼' : ' ▲') : '',
        );
      }),
    );
  }

  function draw() {
    const shown = sortRows(filterRows(rows, columns, filter), columns, sort);
    count.textContent =
      shown.length === rows.length
        ? `${formatCount(rows.length)} points`
        : `${formatCount(shown.length)} of ${formatCount(rows.length)} points`;
    if (shown.length > maxDrawnRows) count.textContent += ` (first ${formatCount(maxDrawnRows)} drawn)`;
    replaceChildren(
      tableBox,
      h(
        'table',
        { class: 'table compact', 'data-testid': 'points-table' },
        h('thead', {}, header()),
        h(
          'tbody',
          {},
          ...shown
            .slice(0, maxDrawnRows)
            .map((row) =>
              h(
                'tr',
                { 'data-point-index': row.pointIndex },
                ...columns.map((c) => h('td', { class: c.axis ? 'num axis' : 'num' }, c.text(row))),
              ),
            ),
        ),
      ),
    );
  }

  const element = h(
    'div',
    { class: 'points-view' },
    h('div', { class: 'controls' }, textFilter, ...rangeFilters, count),
    tableBox,
  );
  return {
    element,
    update(next: readonly PointRow[]) {
      rows = next;
      draw();
    },
  };
}
