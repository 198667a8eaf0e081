import { describe, expect, it } from 'vitest';
import { placeDetails, type SweepFormValues, specFromForm, valueList } from '../src/sweep-form.js';

const blankAxes = { dose: '', immuneKill: '', emtPlasticity: '' };
const blankRanges = {
  dose: { min: '', max: '', scale: 'linear' },
  immuneKill: { min: '', max: '', scale: 'linear' },
  emtPlasticity: { min: '', max: '', scale: 'linear' },
};

function form(overrides: Partial<SweepFormValues>): SweepFormValues {
  return {
    name: 'dose × immune kill',
    priority: 'normal',
    kind: 'grid',
    gridAxes: blankAxes,
    samples: '',
    designSeed: '',
    sampledAxes: blankRanges,
    patients: '200',
    cohortSeed: '1',
    chunkSize: '',
    horizonDays: '',
    extraParams: '',
    ...overrides,
  };
}

describe('sweep form → spec', () => {
  it('turns a grid form into the spec the API takes, leaving empty fields out', () => {
    const spec = specFromForm(form({ gridAxes: { ...blankAxes, dose: '0, 2 10', immuneKill: '0.035;0.1' } }));
    expect(spec).toEqual({
      name: 'dose × immune kill',
      design: { kind: 'grid', axes: { dose: [0, 2, 10], immuneKill: [0.035, 0.1] } },
      cohort: { patients: 200, seed: 1 },
      priority: 'normal',
    });
  });

  it('keeps text that is not a number as text, for the API to name', () => {
    expect(valueList('0, two, 1e-3')).toEqual([0, 'two', 0.001]);
    const spec = specFromForm(
      form({ patients: 'many', gridAxes: { ...blankAxes, dose: '1' }, extraParams: '{oops' }),
    );
    expect(spec.cohort).toEqual({ patients: 'many', seed: 1 });
    expect(spec.params).toBe('{oops');
  });

  it('merges the horizon into the extra parameters', () => {
    const spec = specFromForm(
      form({
        gridAxes: { ...blankAxes, dose: '1' },
        horizonDays: '365',
        extraParams: '{"seedingRate": 1e-5}',
      }),
    );
    expect(spec.params).toEqual({ seedingRate: 1e-5, horizonDays: 365 });
  });

  it('builds sampled designs from ranges, skipping axes without a range', () => {
    const spec = specFromForm(
      form({
        kind: 'sobol',
        samples: '16',
        designSeed: '3',
        sampledAxes: {
          ...blankRanges,
          dose: { min: '0', max: '10', scale: 'linear' },
          immuneKill: { min: '0.01', max: '0.1', scale: 'log' },
        },
      }),
    );
    expect(spec.design).toEqual({
      kind: 'sobol',
      samples: 16,
      seed: 3,
      axes: { dose: { min: 0, max: 10, scale: 'linear' }, immuneKill: { min: 0.01, max: 0.1, scale: 'log' } },
    });
  });
});

describe('placing API error details on fields', () => {
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
