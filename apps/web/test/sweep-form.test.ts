import type { PointRow, SweepSummary } from '@frontline/contracts';
import { describe, expect, it } from 'vitest';
import { filterRows, sortRows, tableColumns } from '../src/points-table-model.js';
import {
  type AxisRow,
  formFromSpec,
  type ModelParameter,
  placeDetails,
  type SweepFormValues,
  specFromForm,
  validateSweepForm,
  valueList,
} from '../src/sweep-form.js';

const axis = (name: string, fields: Partial<AxisRow> = {}): AxisRow => ({
  name,
  values: '',
  min: '',
  max: '',
  scale: 'linear',
  reference: '',
  ...fields,
});

function form(overrides: Partial<SweepFormValues>): SweepFormValues {
  return {
    name: 'dose × immune kill',
    model: '',
    priority: 'normal',
    kind: 'grid',
    axes: [axis('dose', { values: '0, 2 10' })],
    samples: '',
    designSeed: '',
    patients: '200',
    cohortSeed: '1',
    chunkSize: '',
    horizonDays: '',
    extraParams: '',
    ...overrides,
  };
}

const parameter = (
  name: string,
  min: number | null,
  max: number | null,
  sweepable = true,
): ModelParameter => ({
  name,
  description: name,
  unit: '',
  default: 0,
  min,
  max,
  rule: max === null ? `≥ ${min}` : `${min}–${max}`,
  integer: false,
  perPatient: false,
  sweepable,
});
const catalogue = [
  parameter('dose', 0, null),
  parameter('immuneKill', 0, null),
  parameter('cellLossFactor', 0, 0.99),
  parameter('cycles', 1, 100),
  parameter('growthRateSigma', 0, null, false),
];

describe('sweep form → spec', () => {
  it('turns a grid form into the spec the API takes, with the reference arm, leaving empty fields out', () => {
    const spec = specFromForm(
      form({
        axes: [
          axis('dose', { values: '0, 2 10', reference: '0' }),
          axis('immuneKill', { values: '0.035;0.1' }),
        ],
      }),
    );
    expect(spec).toEqual({
      name: 'dose × immune kill',
      design: { kind: 'grid', axes: { dose: [0, 2, 10], immuneKill: [0.035, 0.1] } },
      cohort: { patients: 200, seed: 1 },
      referenceArm: { dose: 0 },
      priority: 'normal',
    });
  });

  it('merges the horizon into the extra parameters', () => {
    const spec = specFromForm(form({ horizonDays: '365', extraParams: '{"seedingRate": 1e-5}' }));
    expect(spec.params).toEqual({ seedingRate: 1e-5, horizonDays: 365 });
  });

  it('builds sampled designs from ranges on any parameter', () => {
    const spec = specFromForm(
      form({
        kind: 'sobol',
        samples: '16',
        designSeed: '3',
        axes: [
          axis('cycles', { min: '1', max: '10' }),
          axis('immuneKill', { min: '0.01', max: '0.1', scale: 'log' }),
        ],
      }),
    );
    expect(spec.design).toEqual({
      kind: 'sobol',
      samples: 16,
      seed: 3,
      axes: {
        cycles: { min: 1, max: 10, scale: 'linear' },
        immuneKill: { min: 0.01, max: 0.1, scale: 'log' },
      },
    });
  });

  it('clones: the form of an accepted spec gives that spec back (name aside)', () => {
    const spec: SweepSummary['spec'] = {
      name: 'original',
      model: 'lf-tid@2',
      design: { kind: 'lhs', samples: 32, seed: 4, axes: { dose: { min: 0.1, max: 10, scale: 'log' } } },
      cohort: { patients: 150, seed: 9, chunkSize: 50 },
      params: { horizonDays: 365, cellLossFactor: 0.5 },
      referenceArm: { dose: 0.1 },
      priority: 'high',
    };
    const values = formFromSpec(spec);
    expect(values.name).toBe('original (copy)');
    expect(values.axes).toEqual([axis('dose', { min: '0.1', max: '10', scale: 'log', reference: '0.1' })]);
    expect(validateSweepForm(values, catalogue)).toEqual([]);
    expect(specFromForm(values)).toEqual({ ...spec, name: 'original (copy)' });
  });
});

describe('validating the whole form in one pass', () => {
  it('reports every problem at once, each at its field’s spec path', () => {
    const problems = validateSweepForm(
      form({
        name: ' ',
        axes: [
          axis('dose', { values: '0, two, -1', reference: '5' }),
          axis('growthRateSigma', { values: '0.1' }),
          axis('nonsense', { values: '1' }),
        ],
        patients: '0',
        cohortSeed: '1.5',
        chunkSize: 'lots',
        horizonDays: '-3',
        extraParams: '{"cellLossFactor": 1.2, "seedingRat": 1, "dose": 1}',
      }),
      catalogue,
    );
    expect(problems).toEqual([
      { path: 'name', rule: 'required' },
      { path: 'design.axes.dose[1]', rule: 'expected a number, got "two"' },
      { path: 'design.axes.dose[2]', rule: 'must be ≥ 0' },
      { path: 'design.axes.growthRateSigma', rule: 'cannot be swept' },
      { path: 'design.axes.nonsense', rule: 'unknown model parameter' },
      { path: 'cohort.patients', rule: 'must be a positive integer' },
      { path: 'cohort.seed', rule: 'must be a non-negative integer' },
      { path: 'cohort.chunkSize', rule: 'expected a number, got "lots"' },
      { path: 'params.horizonDays', rule: 'must be > 0' },
      { path: 'params.cellLossFactor', rule: 'must be ≤ 0.99' },
      { path: 'params.seedingRat', rule: 'unknown model parameter' },
      { path: 'params.dose', rule: 'is also an axis: set it in one place' },
      { path: 'referenceArm.dose', rule: 'must be one of the axis values (0, -1)' },
    ]);
  });

  it('says "invalid JSON" for text that is not JSON, and checks sampled ranges', () => {
    const problems = validateSweepForm(
      form({
        kind: 'lhs',
        samples: '0',
        designSeed: '',
        axes: [
          axis('dose', { min: '5', max: '1' }),
          axis('immuneKill', { min: '0', max: '0.1', scale: 'log' }),
        ],
        extraParams: '{oops',
      }),
      catalogue,
    );
    expect(problems.map((p) => p.path)).toEqual([
      'design.axes.dose.max',
      'design.axes.immuneKill.min',
      'design.samples',
      'design.seed',
      'params',
    ]);
    expect(problems[0]?.rule).toBe('must be greater than min (5)');
    expect(problems[1]?.rule).toBe('must be > 0 on a log scale');
    expect(problems[3]?.rule).toBe('required');
    expect(problems[4]?.rule).toMatch(/^invalid JSON: /);
  });

  it('without the catalogue checks everything but parameter names and ranges (the API does those)', () => {
    expect(validateSweepForm(form({ axes: [axis('nonsense', { values: '-5' })] }), null)).toEqual([]);
    expect(validateSweepForm(form({ axes: [] }), null)).toEqual([
      { path: 'design.axes', rule: 'add at least one axis' },
    ]);
    expect(validateSweepForm(form({ extraParams: '[1]' }), null)).toEqual([
      { path: 'params', rule: 'must be a JSON object of parameter name → number' },
    ]);
  });

  it('keeps text that is not a number out of value lists as text, to be named', () => {
    expect(valueList('0, two, 1e-3')).toEqual([0, 'two', 0.001]);
  });
});

describe('placing error details on fields', () => {
  it('gives each detail to the field with the longest matching path, the rest to the summary', () => {
    const fields = [
      'design.axes.dose',
      'design.axes.dose.min',
      'cohort.patients',
      'params',
      'params.horizonDays',
    ];
    const placed = placeDetails(
      [
        { path: 'design.axes.dose[1]', rule: 'expected number' },
        { path: 'design.axes.dose.min', rule: 'required' },
        { path: 'cohort.patients', rule: 'must be > 0' },
        { path: 'cohort.patientsExtra', rule: 'unknown key' },
        { path: 'params.horizonDays', rule: 'must be > 0' },
        { path: 'params.growthRate', rule: 'out of range' },
        { path: 'referenceArm', rule: 'not an axis' },
      ],
      fields,
    );
    expect(
      Object.fromEntries([...placed].map(([field, details]) => [field, details.map((d) => d.path)])),
    ).toEqual({
      'design.axes.dose': ['design.axes.dose[1]'],
      'design.axes.dose.min': ['design.axes.dose.min'],
      'cohort.patients': ['cohort.patients'],
      'params.horizonDays': ['params.horizonDays'],
      params: ['params.growthRate'],
      '': ['cohort.patientsExtra', 'referenceArm'],
    });
  });
});

/** A point with the given axis values and OS median (null: not reached) and cured fraction. */
function point(pointIndex: number, dose: number, median: number | null, cured: number | null): PointRow {
  const summary = { median: { value: median, lower: null, upper: null }, at365: 0.5, at730: 0.25, rmst: 300 };
  return {
    pointIndex,
    axisValues: { dose },
    patients: 100,
    os: summary,
    pfs: summary,
    curedFraction: cured,
    medianLeaderFractionAtDiagnosis: null,
    bestResponse: { CR: pointIndex, PR: 0, SD: 0, PD: 100 - pointIndex },
    objectiveResponseRate: null,
    toxicDeaths: null,
    toxicDeathFraction: null,
    meanDoseIntensity: null,
    grade4NeutropeniaRate: null,
    recistBestResponse: null,
  };
}

describe('points table: sorting and filtering', () => {
  const rows = [
    point(0, 10, 400, 0.1),
    point(1, 0.5, null, 0.3),
    point(2, 2, 250, null),
    point(3, 2, 600, 0.2),
  ];
  const columns = tableColumns(['dose']);
  const median = columns.find((c) => c.label.startsWith('Median OS'))!.id;
  const cured = columns.find((c) => c.label === 'Cured')!.id;
  const order = (sorted: PointRow[]) => sorted.map((r) => r.pointIndex);

  it('sorts by any column either way, points without a value last, ties in point order', () => {
    expect(order(sortRows(rows, columns, { column: 'axis:dose', descending: false }))).toEqual([1, 2, 3, 0]);
    expect(order(sortRows(rows, columns, { column: 'axis:dose', descending: true }))).toEqual([0, 2, 3, 1]);
    expect(order(sortRows(rows, columns, { column: median, descending: false }))).toEqual([2, 0, 3, 1]);
    expect(order(sortRows(rows, columns, { column: median, descending: true }))).toEqual([3, 0, 2, 1]);
    expect(order(sortRows(rows, columns, { column: cured, descending: true }))).toEqual([1, 3, 0, 2]);
    expect(order(sortRows(rows, columns, null))).toEqual([0, 1, 2, 3]);
  });

  it('filters by a range per axis (inclusive, open ends) and by text in any cell', () => {
    const range = (min?: number, max?: number) => ({ text: '', ranges: { 'axis:dose': { min, max } } });
    expect(order(filterRows(rows, columns, range(1, 5)))).toEqual([2, 3]);
    expect(order(filterRows(rows, columns, range(2)))).toEqual([0, 2, 3]);
    expect(order(filterRows(rows, columns, range(undefined, 0.5)))).toEqual([1]);
    expect(order(filterRows(rows, columns, { text: '0.5', ranges: {} }))).toEqual([1]);
    // A range on a column drops the points without a value there (median not reached).
    expect(order(filterRows(rows, columns, { text: '', ranges: { [median]: { min: 300 } } }))).toEqual([
      0, 3,
    ]);
    expect(order(filterRows(rows, columns, { text: '600', ranges: { 'axis:dose': { min: 1 } } }))).toEqual([
      3,
    ]);
  });
});
