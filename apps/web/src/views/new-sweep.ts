import type { ErrorDetail, SweepDryRun } from '@frontline/contracts';
import { ApiRequestError, api } from '../api.js';
import { append, h, replaceChildren } from '../dom.js';
import { formatCount, formatDuration } from '../format.js';
import {
  type AxisRow,
  defaultAxes,
  type FormProblem,
  formFromSpec,
  type ModelParameter,
  placeDetails,
  type SweepFormValues,
  specFromForm,
  validateSweepForm,
} from '../sweep-form.js';

const gridDefaults: Record<string, string> = {
  dose: '0, 2, 10',
  immuneKill: '0.035, 0.1',
  emtPlasticity: '0.1, 1, 10',
};

const blankForm = (): SweepFormValues => ({
  name: '',
  model: '',
  priority: 'normal',
  kind: 'grid',
  axes: defaultAxes.map((name) => ({
    name,
    values: gridDefaults[name] ?? '',
    min: '',
    max: '',
    scale: 'linear',
    reference: '',
  })),
  samples: '16',
  designSeed: '1',
  patients: '200',
  cohortSeed: '1',
  chunkSize: '',
  horizonDays: '730',
  extraParams: '',
});

/** Form field name → the spec path its problems are reported against. */
function fieldPaths(values: SweepFormValues): Record<string, string> {
  const paths: Record<string, string> = {
    name: 'name',
    model: 'model',
    priority: 'priority',
    kind: 'design.kind',
    axes: 'design.axes',
    samples: 'design.samples',
    designSeed: 'design.seed',
    patients: 'cohort.patients',
    cohortSeed: 'cohort.seed',
    chunkSize: 'cohort.chunkSize',
    horizonDays: 'params.horizonDays',
    extraParams: 'params',
  };
  for (const { name } of values.axes) {
    if (values.kind === 'grid') paths[`grid.${name}`] = `design.axes.${name}`;
    else {
      paths[`axis.${name}`] = `design.axes.${name}`;
      paths[`min.${name}`] = `design.axes.${name}.min`;
      paths[`max.${name}`] = `design.axes.${name}.max`;
    }
    paths[`ref.${name}`] = `referenceArm.${name}`;
  }
  return paths;
}

function field(name: string, label: string, control: HTMLElement, hint?: string) {
  return h(
    'div',
    { class: 'field', 'data-field': name },
    h('label', { for: `f-${name}` }, label),
    control,
    hint ? h('small', { class: 'muted' }, hint) : null,
    h('div', { class: 'field-error', 'data-testid': `error-${name}` }),
  );
}

const input = (name: string, value = '', attributes: Record<string, string> = {}) =>
  h('input', { id: `f-${name}`, name, value, autocomplete: 'off', ...attributes });

function options(values: readonly { value: string; label: string }[], selected: string) {
  return values.map((o) => h('option', { value: o.value, selected: o.value === selected }, o.label));
}

/** Parameters offered as axes: the catalogue's sweepable ones, or (without it) the names in use. */
function axisChoices(catalogue: readonly ModelParameter[] | null, inUse: readonly string[]) {
  if (!catalogue)
    return [...new Set([...defaultAxes, ...inUse])].map((name) => ({ value: name, label: name }));
  return catalogue
    .filter((p) => p.sweepable)
    .map((p) => ({ value: p.name, label: p.unit ? `${p.name} (${p.unit})` : p.name }));
}

/**
 * Submit a sweep from the browser. Every problem is shown at once, next to its field; with `from`,
 * the form starts as a copy of that sweep's spec (clone).
 */
export function newSweepPage(root: HTMLElement, from?: string): () => void {
  let stopped = false;
  let catalogue: ModelParameter[] | null = null;
  let state = blankForm();
  const summary = h('div', { class: 'form-summary', 'data-testid': 'form-errors' });
  const axesBox = h('div', { class: 'axis-rows', 'data-testid': 'axis-rows' });
  const sampledOnly = h('div', { class: 'row sampled-only' });
  const catalogueNote = h('small', { class: 'muted', 'data-testid': 'catalogue-note' });
  const submit = h('button', { type: 'submit', class: 'button' }, 'Submit sweep');
  const preview = h(
    'button',
    { type: 'button', class: 'button secondary', 'data-testid': 'preview-cost' },
    'Preview cost',
  );
  const previewBox = h('div', { class: 'form-preview', 'data-testid': 'dry-run' });
  const form = h('form', { class: 'card sweep-form', novalidate: true, 'data-testid': 'sweep-form' });

  const text = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? '';
  /** A field's value, or `kept` while the field is not drawn (the other design kind's inputs). */
  const textOr = (name: string, kept: string) =>
    (form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? kept;

  /** What is typed now (the axis rows are re-drawn from this when they change shape). */
  function read(): SweepFormValues {
    return {
      name: text('name'),
      model: text('model'),
      priority: text('priority'),
      kind: text('kind'),
      axes: state.axes.map((row, i) => ({
        name: textOr(`axisName.${i}`, row.name),
        values: textOr(`grid.${row.name}`, row.values),
        min: textOr(`min.${row.name}`, row.min),
        max: textOr(`max.${row.name}`, row.max),
        scale: textOr(`scale.${row.name}`, row.scale),
        reference: textOr(`ref.${row.name}`, row.reference),
      })),
      samples: text('samples'),
      designSeed: text('designSeed'),
      patients: text('patients'),
      cohortSeed: text('cohortSeed'),
      chunkSize: text('chunkSize'),
      horizonDays: text('horizonDays'),
      extraParams: text('extraParams'),
    };
  }

  function axisRow(row: AxisRow, index: number, grid: boolean) {
    const choices = axisChoices(
      catalogue,
      state.axes.map((r) => r.name),
    );
    const describe = catalogue?.find((p) => p.name === row.name);
    const picker = h(
      'select',
      {
        id: `f-axis.${row.name}`,
        name: `axisName.${index}`,
        'data-testid': 'axis-picker',
        onchange: () => redraw(),
      },
      ...options(choices, row.name),
    );
    const remove = h(
      'button',
      {
        type: 'button',
        class: 'button secondary small',
        title: 'Remove this axis',
        onclick: () => {
          state = read();
          state.axes.splice(index, 1);
          drawAxes();
        },
      },
      '×',
    );
    const range =
      describe && (describe.min !== null || describe.max !== null)
        ? `${describe.min ?? '−∞'} … ${describe.max ?? '∞'}`
        : '';
    return h(
      'div',
      { class: 'row axis-row', 'data-axis': row.name },
      field(`axis.${row.name}`, 'Parameter', picker, describe?.description),
      grid
        ? field(
            `grid.${row.name}`,
            'Values',
            input(`grid.${row.name}`, row.values),
            range || 'comma-separated',
          )
        : null,
      grid ? null : field(`min.${row.name}`, 'min', input(`min.${row.name}`, row.min), range || undefined),
      grid ? null : field(`max.${row.name}`, 'max', input(`max.${row.name}`, row.max)),
      grid
        ? null
        : field(
            `scale.${row.name}`,
            'scale',
            h(
              'select',
              { id: `f-scale.${row.name}`, name: `scale.${row.name}` },
              ...options(
                [
                  { value: 'linear', label: 'linear' },
                  { value: 'log', label: 'log' },
                ],
                row.scale,
              ),
            ),
          ),
      field(`ref.${row.name}`, 'Reference arm', input(`ref.${row.name}`, row.reference), 'optional'),
      remove,
    );
  }

  function drawAxes() {
    const grid = text('kind') === 'grid';
    sampledOnly.hidden = grid;
    replaceChildren(
      axesBox,
      ...state.axes.map((row, i) => axisRow(row, i, grid)),
      h(
        'button',
        {
          type: 'button',
          class: 'button secondary',
          'data-testid': 'add-axis',
          onclick: () => {
            state = read();
            const taken = new Set(state.axes.map((r) => r.name));
            const next = axisChoices(catalogue, []).find((c) => !taken.has(c.value))?.value ?? '';
            state.axes.push({ name: next, values: '', min: '', max: '', scale: 'linear', reference: '' });
            drawAxes();
          },
        },
        'Add axis',
      ),
    );
  }
  /** Keep what was typed, under the parameter now chosen. */
  const redraw = () => {
    state = read();
    drawAxes();
  };

  function draw(values: SweepFormValues) {
    state = values;
    replaceChildren(
      form,
      summary,
      h(
        'div',
        { class: 'row' },
        field('name', 'Name', input('name', values.name, { placeholder: 'dose × immune kill' })),
        field(
          'model',
          'Model',
          h(
            'select',
            { id: 'f-model', name: 'model' },
            // '' leaves the choice to the API (lf-tid@2 today); a clone keeps its original's model.
            ...options(
              [
                { value: '', label: 'default (lf-tid@2)' },
                { value: 'lf-tid@2', label: 'lf-tid@2' },
                { value: 'lf-tid@1', label: 'lf-tid@1' },
              ],
              values.model,
            ),
          ),
        ),
        field(
          'priority',
          'Priority',
          h(
            'select',
            { id: 'f-priority', name: 'priority' },
            ...options(
              ['normal', 'high', 'low'].map((p) => ({ value: p, label: p })),
              values.priority,
            ),
          ),
        ),
        field(
          'kind',
          'Design',
          h(
            'select',
            { id: 'f-kind', name: 'kind', onchange: redraw },
            ...options(
              [
                { value: 'grid', label: 'Grid' },
                { value: 'lhs', label: 'Latin hypercube' },
                { value: 'sobol', label: 'Sobol' },
                { value: 'saltelli', label: 'Saltelli (Sobol indices)' },
              ],
              values.kind,
            ),
          ),
        ),
      ),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Axes: any model parameter; the reference arm is what other arms are compared with'),
        catalogueNote,
        h(
          'div',
          { class: 'field', 'data-field': 'axes' },
          h('div', { class: 'field-error', 'data-testid': 'error-axes' }),
        ),
        sampledOnly,
        axesBox,
      ),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Cohort and model'),
        h(
          'div',
          { class: 'row' },
          field('patients', 'Patients per point', input('patients', values.patients)),
          field('cohortSeed', 'Cohort seed', input('cohortSeed', values.cohortSeed)),
          field('chunkSize', 'Chunk size', input('chunkSize', values.chunkSize), 'optional'),
          field('horizonDays', 'Horizon (days)', input('horizonDays', values.horizonDays), 'optional'),
        ),
        field(
          'extraParams',
          'Other model parameters (JSON object)',
          h(
            'textarea',
            { id: 'f-extraParams', name: 'extraParams', rows: 2, placeholder: '{"seedingRate": 1e-5}' },
            values.extraParams,
          ),
        ),
      ),
      h('div', { class: 'actions' }, submit, preview),
      previewBox,
    );
    replaceChildren(
      sampledOnly,
      field('samples', 'Samples', input('samples', values.samples)),
      field('designSeed', 'Design seed', input('designSeed', values.designSeed)),
    );
    drawAxes();
  }

  function showErrors(message: string, details: readonly FormProblem[]) {
    for (const box of form.querySelectorAll('.field-error')) box.replaceChildren();
    for (const f of form.querySelectorAll('.field')) f.classList.remove('invalid');
    const names = Object.entries(fieldPaths(read()));
    const placed = placeDetails(
      details,
      names.map(([, path]) => path),
    );
    const unplaced: FormProblem[] = [];
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
    summary.scrollIntoView({ block: 'nearest' });
  }

  /** The form's values if they pass the form's own checks; otherwise shows the problems. */
  function checkedValues(): SweepFormValues | undefined {
    const values = read();
    const problems = validateSweepForm(values, catalogue);
    if (problems.length === 0) return values;
    showErrors(
      `${problems.length} ${problems.length === 1 ? 'problem' : 'problems'} to fix: nothing was sent`,
      problems,
    );
    return undefined;
  }

  preview.addEventListener('click', () => {
    const values = checkedValues();
    if (!values) return;
    preview.disabled = true;
    api
      .previewSweep(specFromForm(values))
      .then((plan) => {
        summary.replaceChildren();
        replaceChildren(previewBox, dryRunView(plan));
      })
      .catch((error: unknown) => {
        if (error instanceof ApiRequestError) showErrors(error.message, error.details as ErrorDetail[]);
        else showErrors(`Could not reach the API: ${String(error)}`, []);
      })
      .finally(() => {
        preview.disabled = false;
      });
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = checkedValues();
    if (!values) return;
    submit.disabled = true;
    api
      .submitSweep(specFromForm(values))
      .then((created) => {
        if (created.warnings.length > 0)
          sessionStorage.setItem(`warnings:${created.id}`, JSON.stringify(created.warnings));
        location.hash = `#/sweeps/${created.id}`;
      })
      .catch((error: unknown) => {
        if (error instanceof ApiRequestError) showErrors(error.message, error.details as ErrorDetail[]);
        else showErrors(`Could not reach the API: ${String(error)}`, []);
      })
      .finally(() => {
        submit.disabled = false;
      });
  });

  replaceChildren(
    root,
    h('div', { class: 'page-head' }, h('h1', {}, from ? 'New sweep (copy)' : 'New sweep')),
  );
  append(root, form);
  draw(blankForm());

  void Promise.all([
    api.modelParameters().catch(() => null),
    from ? api.getSweep(from).then((s) => formFromSpec(s.spec)) : Promise.resolve(null),
  ]).then(
    ([parameters, copied]) => {
      if (stopped) return;
      catalogue = parameters;
      catalogueNote.textContent = parameters
        ? `${parameters.filter((p) => p.sweepable).length} sweepable parameters (GET /v1/model/parameters)`
        : 'Parameter catalogue unavailable: the mission axes are offered, the API checks names.';
      draw(copied ?? read());
      form.dataset.ready = 'true';
    },
    (error: Error) => showErrors(`Could not load sweep ${from}: ${error.message}`, []),
  );
  return () => {
    stopped = true;
  };
}

/** 2.4 kB, 60.0 MB, 20.0 GB. */
function bytesText(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e3).toFixed(1)} kB`;
}

/** The dry run's answer: what submitting this form would cost (nothing was created). */
function dryRunView(plan: SweepDryRun): HTMLElement {
  const row = (label: string, value: string, key: string) =>
    h('tr', {}, h('th', {}, label), h('td', { 'data-key': key }, value));
  return h(
    'table',
    { class: 'dry-run' },
    h(
      'tbody',
      {},
      row('Simulations', formatCount(plan.simulations), 'simulations'),
      row('Reused', formatCount(plan.reused), 'reused'),
      row('To run', formatCount(plan.toSimulate), 'toSimulate'),
      row('Chunks', `${formatCount(plan.chunks)} of up to ${formatCount(plan.chunkSize)}`, 'chunks'),
      row(
        'Storage (estimate)',
        `${bytesText(plan.storageBytes.full)} full, ${bytesText(plan.storageBytes.summary)} summary`,
        'storage',
      ),
      row(
        'ETA',
        plan.etaSeconds === null ? 'unknown (no recent throughput)' : formatDuration(plan.etaSeconds),
        'eta',
      ),
    ),
  );
}
