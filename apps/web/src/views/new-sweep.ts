import type { ErrorDetail } from '@frontline/contracts';
import { ApiRequestError, api } from '../api.js';
import { append, h, replaceChildren } from '../dom.js';
import { placeDetails, type SweepFormValues, specFromForm, sweepAxes } from '../sweep-form.js';

/** Form field name → the spec path the API reports errors against. */
const fieldPaths: Record<string, string> = {
  name: 'name',
  priority: 'priority',
  kind: 'design.kind',
  samples: 'design.samples',
  designSeed: 'design.seed',
  patients: 'cohort.patients',
  cohortSeed: 'cohort.seed',
  chunkSize: 'cohort.chunkSize',
  horizonDays: 'params.horizonDays',
  extraParams: 'params',
  ...Object.fromEntries(sweepAxes.map((a) => [`grid.${a}`, `design.axes.${a}`])),
  ...Object.fromEntries(
    sweepAxes.flatMap((a) => [
      [`min.${a}`, `design.axes.${a}.min`],
      [`max.${a}`, `design.axes.${a}.max`],
    ]),
  ),
};

const gridDefaults = { dose: '0, 2, 10', immuneKill: '0.035, 0.1', emtPlasticity: '0.1, 1, 10' };

function field(name: string, label: string, input: HTMLElement, hint?: string) {
  return h(
    'div',
    { class: 'field', 'data-field': name },
    h('label', { for: `f-${name}` }, label),
    input,
    hint ? h('small', { class: 'muted' }, hint) : null,
    h('div', { class: 'field-error', 'data-testid': `error-${name}` }),
  );
}

const input = (name: string, value = '', attributes: Record<string, string> = {}) =>
  h('input', { id: `f-${name}`, name, value, autocomplete: 'off', ...attributes });

/** Submit a sweep from the browser; the API's validation messages appear next to the fields they name. */
export function newSweepPage(root: HTMLElement): () => void {
  const summary = h('div', { class: 'form-summary', 'data-testid': 'form-errors' });
  const kind = h(
    'select',
    { id: 'f-kind', name: 'kind' },
    h('option', { value: 'grid' }, 'Grid'),
    h('option', { value: 'lhs' }, 'Latin hypercube'),
    h('option', { value: 'sobol' }, 'Sobol'),
  );
  const priority = h(
    'select',
    { id: 'f-priority', name: 'priority' },
    h('option', { value: 'normal' }, 'normal'),
    h('option', { value: 'high' }, 'high'),
    h('option', { value: 'low' }, 'low'),
  );
  const gridFields = h(
    'fieldset',
    { class: 'grid-axes' },
    h('legend', {}, 'Grid axes (values separated by commas; leave empty to keep the default)'),
    ...sweepAxes.map((a) => field(`grid.${a}`, a, input(`grid.${a}`, gridDefaults[a]))),
  );
  const sampledFields = h(
    'fieldset',
    { class: 'sampled-axes', hidden: true },
    h('legend', {}, 'Sampled design'),
    h(
      'div',
      { class: 'row' },
      field('samples', 'Samples', input('samples', '16')),
      field('designSeed', 'Design seed', input('designSeed', '1')),
    ),
    ...sweepAxes.map((a) =>
      h(
        'div',
        { class: 'row' },
        field(`min.${a}`, `${a} min`, input(`min.${a}`)),
        field(`max.${a}`, `${a} max`, input(`max.${a}`)),
        field(
          `scale.${a}`,
          'scale',
          h(
            'select',
            { id: `f-scale.${a}`, name: `scale.${a}` },
            h('option', { value: 'linear' }, 'linear'),
            h('option', { value: 'log' }, 'log'),
          ),
        ),
      ),
    ),
  );
  kind.addEventListener('change', () => {
    gridFields.hidden = kind.value !== 'grid';
    sampledFields.hidden = kind.value === 'grid';
  });

  const submit = h('button', { type: 'submit', class: 'button' }, 'Submit sweep');
  const form = h(
    'form',
    { class: 'card sweep-form', novalidate: true, 'data-testid': 'sweep-form' },
    summary,
    h(
      'div',
      { class: 'row' },
      field('name', 'Name', input('name', '', { placeholder: 'dose × immune kill' })),
      field('priority', 'Priority', priority),
      field('kind', 'Design', kind),
    ),
    gridFields,
    sampledFields,
    h(
      'fieldset',
      {},
      h('legend', {}, 'Cohort and model'),
      h(
        'div',
        { class: 'row' },
        field('patients', 'Patients per point', input('patients', '200')),
        field('cohortSeed', 'Cohort seed', input('cohortSeed', '1')),
        field('chunkSize', 'Chunk size', input('chunkSize'), 'optional'),
        field('horizonDays', 'Horizon (days)', input('horizonDays', '730'), 'optional'),
      ),
      field(
        'extraParams',
        'Other model parameters (JSON object)',
        h('textarea', {
          id: 'f-extraParams',
          name: 'extraParams',
          rows: 2,
          placeholder: '{"seedingRate": 1e-5}',
        }),
      ),
    ),
    h('div', { class: 'actions' }, submit),
  );

  function values(): SweepFormValues {
    const text = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? '';
    return {
      name: text('name'),
      priority: priority.value,
      kind: kind.value,
      gridAxes: Object.fromEntries(
        sweepAxes.map((a) => [a, text(`grid.${a}`)]),
      ) as SweepFormValues['gridAxes'],
      samples: text('samples'),
      designSeed: text('designSeed'),
      sampledAxes: Object.fromEntries(
        sweepAxes.map((a) => [
          a,
          { min: text(`min.${a}`), max: text(`max.${a}`), scale: text(`scale.${a}`) },
        ]),
      ) as SweepFormValues['sampledAxes'],
      patients: text('patients'),
      cohortSeed: text('cohortSeed'),
      chunkSize: text('chunkSize'),
      horizonDays: text('horizonDays'),
      extraParams: text('extraParams'),
    };
  }

  function showErrors(message: string, details: readonly ErrorDetail[]) {
    for (const box of form.querySelectorAll('.field-error')) box.replaceChildren();
    for (const f of form.querySelectorAll('.field')) f.classList.remove('invalid');
    const names = Object.entries(fieldPaths);
    const placed = placeDetails(
      details,
      names.map(([, path]) => path),
    );
    const unplaced: ErrorDetail[] = [];
    for (const [path, list] of placed) {
      const name = names.find(([, p]) => p === path)?.[0];
      const holder = name ? form.querySelector(`[data-field="${CSS.escape(name)}"]`) : null;
      if (!holder || !path) {
        unplaced.push(...list);
        continue;
      }
      holder.classList.add('invalid');
      const box = holder.querySelector('.field-error');
      for (const d of list)
        box?.appendChild(
          h('div', { 'data-path': d.path }, d.path === path ? d.rule : `${d.path}: ${d.rule}`),
        );
    }
    replaceChildren(
      summary,
      h(
        'div',
        { class: 'alert', role: 'alert' },
        h('strong', {}, message),
        unplaced.length > 0
          ? h(
              'ul',
              {},
              ...unplaced.map((d) =>
                h('li', { 'data-path': d.path }, d.path ? `${d.path}: ${d.rule}` : d.rule),
              ),
            )
          : null,
      ),
    );
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.disabled = true;
    api
      .submitSweep(specFromForm(values()))
      .then((created) => {
        if (created.warnings.length > 0)
          sessionStorage.setItem(`warnings:${created.id}`, JSON.stringify(created.warnings));
        location.hash = `#/sweeps/${created.id}`;
      })
      .catch((error: unknown) => {
        if (error instanceof ApiRequestError) showErrors(error.message, error.details);
        else showErrors(`Could not reach the API: ${String(error)}`, []);
      })
      .finally(() => {
        submit.disabled = false;
      });
  });

  replaceChildren(root, h('div', { class: 'page-head' }, h('h1', {}, 'New sweep')));
  append(root, form);
  return () => {};
}
