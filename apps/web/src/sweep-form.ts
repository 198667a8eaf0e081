/**
 * The new-sweep form's model, kept free of the DOM: the typed values → a spec, and every problem
 * with them found in one pass (each naming the spec path of its field), so the user fixes all of
 * them at once. Only a form without problems is sent; the API's own messages (path + rule) then
 * appear next to the field they name.
 */
import type { ErrorDetail, ModelParameter, SweepSummary } from '@frontline/contracts';

/** One model parameter as GET /v1/model/parameters describes it. */
export type { ModelParameter };

/** The mission axes: the form's rows before the user picks others. */
export const defaultAxes = ['dose', 'immuneKill', 'emtPlasticity'] as const;

export interface AxisRow {
  /** The model parameter varied along this axis. */
  name: string;
  /** Grid: values separated by commas, spaces or semicolons. */
  values: string;
  /** Sampled designs: the range and its scale. */
  min: string;
  max: string;
  scale: string;
  /** This axis's value in the reference arm ('' leaves the axis out of it). */
  reference: string;
}

export interface SweepFormValues {
  name: string;
  /** The model version (`lf-tid@2`, `lf-tid@1`); '' leaves it to the API's default. */
  model: string;
  priority: string;
  kind: string;
  axes: AxisRow[];
  samples: string;
  designSeed: string;
  patients: string;
  cohortSeed: string;
  chunkSize: string;
  horizonDays: string;
  /** Further model parameters as a JSON object ('' for none). */
  extraParams: string;
}

export type FormProblem = Pick<ErrorDetail, 'path' | 'rule'>;

/** A number when the text is one; the trimmed text otherwise. */
export function numberOrText(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : trimmed;
}

export function valueList(text: string): (number | string)[] {
  return text
    .split(/[\s,;]+/)
    .map(numberOrText)
    .filter((v): v is number | string => v !== undefined);
}

type ParsedJson = { ok: true; value: unknown } | { ok: false; message: string };

function parseJson(text: string): ParsedJson {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function withoutUndefined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The spec of a form without problems (validateSweepForm returned none). */
export function specFromForm(values: SweepFormValues): Record<string, unknown> {
  const axes: Record<string, unknown> = {};
  for (const row of values.axes) {
    axes[row.name] =
      values.kind === 'grid'
        ? valueList(row.values)
        : withoutUndefined({
            min: numberOrText(row.min),
            max: numberOrText(row.max),
            scale: row.scale || undefined,
          });
  }
  const design =
    values.kind === 'grid'
      ? { kind: 'grid', axes }
      : withoutUndefined({
          kind: values.kind,
          samples: numberOrText(values.samples),
          seed: numberOrText(values.designSeed),
          axes,
        });
  const extra = values.extraParams.trim() === '' ? undefined : parseJson(values.extraParams);
  const params = withoutUndefined({
    ...(extra?.ok && isPlainObject(extra.value) ? extra.value : {}),
    horizonDays: numberOrText(values.horizonDays),
  });
  const referenceArm = Object.fromEntries(
    values.axes.filter((r) => r.reference.trim() !== '').map((r) => [r.name, numberOrText(r.reference)]),
  );
  return withoutUndefined({
    name: values.name.trim() === '' ? undefined : values.name.trim(),
    model: values.model || undefined,
    design,
    cohort: withoutUndefined({
      patients: numberOrText(values.patients),
      seed: numberOrText(values.cohortSeed),
      chunkSize: numberOrText(values.chunkSize),
    }),
    params: Object.keys(params).length > 0 ? params : undefined,
    referenceArm: Object.keys(referenceArm).length > 0 ? referenceArm : undefined,
    priority: values.priority || undefined,
  });
}

/** The form's values for an accepted spec (to clone a sweep). */
export function formFromSpec(spec: SweepSummary['spec'], name = `${spec.name} (copy)`): SweepFormValues {
  const { design, cohort, referenceArm = {} } = spec;
  const { horizonDays, ...otherParams } = spec.params ?? {};
  const reference = (axis: string) => (referenceArm[axis] === undefined ? '' : String(referenceArm[axis]));
  const axes: AxisRow[] =
    design.kind === 'grid'
      ? Object.entries(design.axes).map(([axis, values]) => ({
          name: axis,
          values: values.join(', '),
          min: '',
          max: '',
          scale: 'linear',
          reference: reference(axis),
        }))
      : Object.entries(design.axes).map(([axis, range]) => ({
          name: axis,
          values: '',
          min: String(range.min),
          max: String(range.max),
          scale: range.scale,
          reference: reference(axis),
        }));
  return {
    name,
    // A clone runs the model its original ran, not whatever the default is today.
    model: spec.model,
    priority: spec.priority,
    kind: design.kind,
    axes,
    samples: design.kind === 'grid' ? '' : String(design.samples),
    designSeed: design.kind === 'grid' ? '' : String(design.seed),
    // The form edits fixed cohorts only: an adaptive one ({initial, max}) is cloned at its max.
    patients: String(typeof cohort.patients === 'number' ? cohort.patients : cohort.patients.max),
    cohortSeed: String(cohort.seed),
    chunkSize: cohort.chunkSize === undefined ? '' : String(cohort.chunkSize),
    horizonDays: horizonDays === undefined ? '' : String(horizonDays),
    extraParams: Object.keys(otherParams).length > 0 ? JSON.stringify(otherParams) : '',
  };
}

const integerRule = (text: string, path: string, min: number, what: string): FormProblem | null => {
  const value = numberOrText(text);
  if (value === undefined) return { path, rule: 'required' };
  if (typeof value !== 'number') return { path, rule: `expected a number, got "${value}"` };
  if (!Number.isInteger(value) || value < min) return { path, rule: `must be ${what}` };
  return null;
};

function rangeRule(value: number, parameter: ModelParameter | undefined): string | null {
  if (!parameter) return null;
  const unit = parameter.unit ? ` ${parameter.unit}` : '';
  if (parameter.min !== null && value < parameter.min) return `must be ≥ ${parameter.min}${unit}`;
  if (parameter.max !== null && value > parameter.max) return `must be ≤ ${parameter.max}${unit}`;
  return null;
}

/**
 * Every problem with the form, each at the spec path of its field (`design.axes.dose[1]`,
 * `cohort.patients`, `params`…). With the parameter catalogue, names and ranges are checked too.
 */
export function validateSweepForm(
  values: SweepFormValues,
  catalogue: readonly ModelParameter[] | null,
): FormProblem[] {
  const problems: FormProblem[] = [];
  const report = (problem: FormProblem | null) => {
    if (problem) problems.push(problem);
  };
  const known = catalogue ? new Map(catalogue.map((p) => [p.name, p])) : null;
  const grid = values.kind === 'grid';

  if (values.name.trim() === '') report({ path: 'name', rule: 'required' });
  if (values.axes.length === 0) report({ path: 'design.axes', rule: 'add at least one axis' });
  const seen = new Set<string>();
  const gridValues = new Map<string, number[]>();
  for (const row of values.axes) {
    const path = `design.axes.${row.name}`;
    const parameter = known?.get(row.name);
    if (row.name.trim() === '') report({ path: 'design.axes', rule: 'an axis has no parameter chosen' });
    else if (seen.has(row.name)) report({ path, rule: 'is an axis twice' });
    else if (known && !parameter) report({ path, rule: 'unknown model parameter' });
    else if (parameter && !parameter.sweepable) report({ path, rule: 'cannot be swept' });
    seen.add(row.name);
    if (grid) {
      const list = valueList(row.values);
      if (list.length === 0) report({ path, rule: 'needs at least one value' });
      list.forEach((value, i) => {
        if (typeof value !== 'number')
          report({ path: `${path}[${i}]`, rule: `expected a number, got "${value}"` });
        else report(rangeRuleAt(`${path}[${i}]`, value, parameter));
      });
      gridValues.set(
        row.name,
        list.filter((v): v is number => typeof v === 'number'),
      );
      continue;
    }
    const min = numberOrText(row.min);
    const max = numberOrText(row.max);
    for (const [bound, value] of [
      ['min', min],
      ['max', max],
    ] as const) {
      if (value === undefined) report({ path: `${path}.${bound}`, rule: 'required' });
      else if (typeof value !== 'number')
        report({ path: `${path}.${bound}`, rule: `expected a number, got "${value}"` });
      else report(rangeRuleAt(`${path}.${bound}`, value, parameter));
    }
    if (typeof min === 'number' && typeof max === 'number') {
      if (min >= max) report({ path: `${path}.max`, rule: `must be greater than min (${min})` });
      if (row.scale === 'log' && min <= 0)
        report({ path: `${path}.min`, rule: 'must be > 0 on a log scale' });
    }
  }
  if (!grid) {
    report(integerRule(values.samples, 'design.samples', 1, 'a positive integer'));
    report(integerRule(values.designSeed, 'design.seed', 0, 'a non-negative integer'));
  }

  report(integerRule(values.patients, 'cohort.patients', 1, 'a positive integer'));
  report(integerRule(values.cohortSeed, 'cohort.seed', 0, 'a non-negative integer'));
  if (values.chunkSize.trim() !== '')
    report(integerRule(values.chunkSize, 'cohort.chunkSize', 1, 'a positive integer'));
  const horizon = numberOrText(values.horizonDays);
  if (typeof horizon === 'string')
    report({ path: 'params.horizonDays', rule: `expected a number, got "${horizon}"` });
  else if (horizon !== undefined && horizon <= 0) report({ path: 'params.horizonDays', rule: 'must be > 0' });

  if (values.extraParams.trim() !== '') {
    const extra = parseJson(values.extraParams);
    if (!extra.ok) report({ path: 'params', rule: `invalid JSON: ${extra.message}` });
    else if (!isPlainObject(extra.value))
      report({ path: 'params', rule: 'must be a JSON object of parameter name → number' });
    else
      for (const [name, value] of Object.entries(extra.value)) {
        const path = `params.${name}`;
        if (known && !known.has(name)) report({ path, rule: 'unknown model parameter' });
        else if (typeof value !== 'number') report({ path, rule: 'expected a number' });
        else if (seen.has(name)) report({ path, rule: 'is also an axis: set it in one place' });
        else report(rangeRuleAt(path, value, known?.get(name)));
      }
  }

  for (const row of values.axes) {
    if (row.reference.trim() === '') continue;
    const path = `referenceArm.${row.name}`;
    const value = numberOrText(row.reference);
    if (typeof value !== 'number') report({ path, rule: `expected a number, got "${value}"` });
    else if (grid && !(gridValues.get(row.name) ?? []).includes(value))
      report({
        path,
        rule: `must be one of the axis values (${(gridValues.get(row.name) ?? []).join(', ')})`,
      });
  }
  return problems;
}

function rangeRuleAt(path: string, value: number, parameter: ModelParameter | undefined): FormProblem | null {
  const rule = rangeRule(value, parameter);
  return rule ? { path, rule } : null;
}

/**
 * Assign each error detail to the form field whose path is the longest prefix of the detail's path
 * (`design.axes.dose[1]` → the dose field); details no field owns are returned under ''.
 */
export function placeDetails<D extends { path: string }>(
  details: readonly D[],
  fieldPaths: readonly string[],
) {
  const placed = new Map<string, D[]>();
  for (const detail of details) {
    let owner = '';
    for (const field of fieldPaths) {
      const owns =
        detail.path === field || detail.path.startsWith(`${field}.`) || detail.path.startsWith(`${field}[`);
      if (owns && field.length > owner.length) owner = field;
    }
    placed.set(owner, [...(placed.get(owner) ?? []), detail]);
  }
  return placed;
}
