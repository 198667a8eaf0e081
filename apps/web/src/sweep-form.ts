/**
 * The new-sweep form's model, kept free of the DOM. The form does not validate on its own: it turns
 * what was typed into a spec — numbers where the text is a number, the text itself otherwise — and
 * lets the API judge, so the browser shows exactly the API's messages (path + rule) next to the
 * field they name.
 */

export const sweepAxes = ['dose', 'immuneKill', 'emtPlasticity'] as const;
export type SweepAxis = (typeof sweepAxes)[number];

export interface SweepFormValues {
  name: string;
  priority: string;
  kind: string;
  /** Grid: comma- or space-separated values per axis ('' leaves the axis out). */
  gridAxes: Record<SweepAxis, string>;
  samples: string;
  designSeed: string;
  /** LHS/Sobol: range per axis ('' min and max leave the axis out). */
  sampledAxes: Record<SweepAxis, { min: string; max: string; scale: string }>;
  patients: string;
  cohortSeed: string;
  chunkSize: string;
  horizonDays: string;
  /** Further model parameters as a JSON object ('' for none). */
  extraParams: string;
}

/** A number when the text is one; the trimmed text otherwise (the API names what is wrong with it). */
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

function parseExtra(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text; // sent as is: the API answers "params: expected object"
  }
}

function withoutUndefined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function specFromForm(values: SweepFormValues): Record<string, unknown> {
  let design: Record<string, unknown>;
  if (values.kind === 'grid') {
    const axes: Record<string, unknown> = {};
    for (const axis of sweepAxes) {
      const list = valueList(values.gridAxes[axis]);
      if (list.length > 0) axes[axis] = list;
    }
    design = { kind: 'grid', axes };
  } else {
    const axes: Record<string, unknown> = {};
    for (const axis of sweepAxes) {
      const { min, max, scale } = values.sampledAxes[axis];
      if (min.trim() === '' && max.trim() === '') continue;
      axes[axis] = withoutUndefined({
        min: numberOrText(min),
        max: numberOrText(max),
        scale: scale || undefined,
      });
    }
    design = withoutUndefined({
      kind: values.kind,
      samples: numberOrText(values.samples),
      seed: numberOrText(values.designSeed),
      axes,
    });
  }
  const extra = parseExtra(values.extraParams);
  const horizonDays = numberOrText(values.horizonDays);
  let params: unknown;
  if (extra !== undefined && (typeof extra !== 'object' || extra === null || Array.isArray(extra)))
    params = extra;
  else if (extra !== undefined || horizonDays !== undefined)
    params = withoutUndefined({ ...(extra as Record<string, unknown> | undefined), horizonDays });
  return withoutUndefined({
    name: values.name.trim() === '' ? undefined : values.name.trim(),
    design,
    cohort: withoutUndefined({
      patients: numberOrText(values.patients),
      seed: numberOrText(values.cohortSeed),
      chunkSize: numberOrText(values.chunkSize),
    }),
    params,
    priority: values.priority || undefined,
  });
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
