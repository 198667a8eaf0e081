import {
  type ModelId,
  paramDomainsFor,
  paramNamesFor,
  resolveModelParams,
  validateModelParams,
} from '@frontline/sim';
import type { z } from 'zod';
import type { sweepSpecStructureSchema } from './spec.js';
import { parameterCatalogueHint, unknownParameterRule } from './suggest.js';

type StructuredSpec = z.output<typeof sweepSpecStructureSchema>;
type Overrides = Record<string, number | number[]>;

/** Parameters whose value is a list (v2's explicit schedule): set in `params`, never a design axis. */
const listParams = new Set<string>(['doseDays']);

const isKnownParam = (model: ModelId, name: string) => paramNamesFor(model).includes(name);

/** Integer-valued parameters (cycles, clusterSize): a continuous design cannot sample them. */
export function isIntegerParam(name: string, model: ModelId = 'lf-tid@1'): boolean {
  return isKnownParam(model, name) && (paramDomainsFor(model)[name] ?? '').includes('must be an integer');
}

/** Why a name is not a parameter of the model, with the other model's spelling when that is the slip. */
function unknownParamRule(model: ModelId, name: string): string {
  const known = `unknown parameter of ${model}`;
  if (model === 'lf-tid@2' && name === 'cycleDays')
    return `${known} (lf-tid@2 calls it \`doseInterval\`); ${parameterCatalogueHint}`;
  if (model === 'lf-tid@1' && name === 'doseInterval')
    return `${known} (lf-tid@1 calls it \`cycleDays\`); ${parameterCatalogueHint}`;
  if (model === 'lf-tid@1' && isKnownParam('lf-tid@2', name))
    return `${known} (\`${name}\` is an lf-tid@2 parameter: set "model": "lf-tid@2"); ${parameterCatalogueHint}`;
  return unknownParameterRule(name, paramNamesFor(model)).replace('unknown parameter', known);
}

/**
 * Rules that span fields of a structurally valid spec. Each issue's message is the rule alone; its
 * path says where. Parameter names and domains are the spec's model's, from @frontline/sim, so they
 * are stated in one place.
 */
export function checkSweepSemantics(spec: StructuredSpec, ctx: z.RefinementCtx): void {
  const report = (path: PropertyKey[], rule: string) => ctx.addIssue({ code: 'custom', path, message: rule });
  const { design, model } = spec;
  const known = (name: string) => isKnownParam(model, name);
  const axisNames = Object.keys(design.axes);

  if (axisNames.length === 0) report(['design', 'axes'], 'must name at least one axis');
  for (const name of axisNames) {
    if (!known(name)) report(['design', 'axes', name], unknownParamRule(model, name));
    else if (listParams.has(name))
      report(['design', 'axes', name], `${name} is a list of days, not an axis; set it in params`);
  }

  // Overrides that hold everywhere; only known, non-axis names go on to the domain checks.
  const base: Overrides = {};
  for (const [name, value] of Object.entries(spec.params)) {
    if (!known(name)) report(['params', name], unknownParamRule(model, name));
    else if (Object.hasOwn(design.axes, name))
      report(['params', name], 'is also a design axis; set it in one place only');
    else if (Array.isArray(value) !== listParams.has(name))
      report(
        ['params', name],
        listParams.has(name) ? 'must be a list of days' : 'must be a number, not a list',
      );
    else base[name] = value;
  }
  const baseProblems = new Set<string>();
  for (const { param, rule } of validateModelParams(model, base)) {
    baseProblems.add(`${param}\u0000${rule}`);
    report(['params', param], rule);
  }

  /** Domain check of one axis value on top of the base overrides; reports only what it adds. */
  const checkAxisValue = (axis: string, value: number, path: PropertyKey[]) => {
    if (!known(axis) || listParams.has(axis)) return;
    for (const { param, rule } of validateModelParams(model, { ...base, [axis]: value })) {
      if (baseProblems.has(`${param}\u0000${rule}`)) continue;
      report(path, param === axis ? rule : `${param}: ${rule}`);
    }
  };

  if (design.kind === 'grid') {
    for (const [axis, values] of Object.entries(design.axes)) {
      const seen = new Map<number, number>();
      values.forEach((value, i) => {
        const first = seen.get(value);
        if (first !== undefined)
          report(['design', 'axes', axis, i], `duplicate of design.axes.${axis}[${first}]`);
        else seen.set(value, i);
        checkAxisValue(axis, value, ['design', 'axes', axis, i]);
      });
    }
  } else {
    for (const [axis, { min, max, scale }] of Object.entries(design.axes)) {
      if (!(min < max)) report(['design', 'axes', axis], `min must be < max (got min ${min}, max ${max})`);
      if (scale === 'log' && min <= 0) report(['design', 'axes', axis, 'min'], 'log scale needs min > 0');
      if (isIntegerParam(axis, model)) {
        report(['design', 'axes', axis], `${axis} takes integer values; vary it in a grid design instead`);
      }
      checkAxisValue(axis, min, ['design', 'axes', axis, 'min']);
      checkAxisValue(axis, max, ['design', 'axes', axis, 'max']);
    }
  }

  if (spec.referenceArm) checkReferenceArm(spec.referenceArm, design, report, checkAxisValue);
  checkAdaptiveCohort(spec, report);
}

/** The shortest follow-up of any point: `horizonDays` of params, of its axis values, or the model's default. */
function shortestHorizon(spec: StructuredSpec): number {
  const axis = spec.design.axes.horizonDays;
  if (Array.isArray(axis)) return Math.min(...axis);
  if (axis && typeof axis === 'object') return axis.min;
  const fixed = spec.params.horizonDays;
  if (typeof fixed === 'number') return fixed;
  return resolveModelParams(spec.model, {}).horizonDays;
}

/** An adaptive cohort ({initial, max}) needs a precision target that every point can reach. */
function checkAdaptiveCohort(spec: StructuredSpec, report: (path: PropertyKey[], rule: string) => void) {
  const { patients, precision } = spec.cohort;
  if (typeof patients === 'number') {
    if (precision)
      report(
        ['cohort', 'precision'],
        'applies only to an adaptive cohort: set cohort.patients to {initial, max}',
      );
    return;
  }
  if (patients.initial > patients.max)
    report(
      ['cohort', 'patients', 'initial'],
      `must be ≤ cohort.patients.max (got initial ${patients.initial}, max ${patients.max})`,
    );
  if (!precision) {
    report(['cohort', 'precision'], 'is required with an adaptive cohort ({initial, max})');
    return;
  }
  const horizon = shortestHorizon(spec);
  if (precision.metric === 'median') {
    if (precision.at !== undefined) report(['cohort', 'precision', 'at'], 'is not used by metric median');
  } else if (precision.at === undefined) {
    if (precision.metric === 'survivalAt')
      report(['cohort', 'precision', 'at'], 'is required for metric survivalAt');
  } else if (precision.at > horizon) {
    report(
      ['cohort', 'precision', 'at'],
      `must be ≤ the follow-up horizon of every point (horizonDays ${horizon})`,
    );
  }
}

function checkReferenceArm(
  arm: Record<string, number>,
  design: StructuredSpec['design'],
  report: (path: PropertyKey[], rule: string) => void,
  checkAxisValue: (axis: string, value: number, path: PropertyKey[]) => void,
): void {
  const entries = Object.entries(arm);
  if (entries.length === 0) report(['referenceArm'], 'must name at least one axis (or be left out)');
  for (const [axis, value] of entries) {
    const path = ['referenceArm', axis];
    if (!Object.hasOwn(design.axes, axis)) {
      report(path, `is not an axis of the design (axes: ${Object.keys(design.axes).join(', ')})`);
      continue;
    }
    if (design.kind === 'grid') {
      const values = design.axes[axis] ?? [];
      // An empty axis is already reported; naming its (no) values would only add noise.
      if (values.length > 0 && !values.includes(value)) {
        report(path, `must be one of the grid values of ${axis}: ${values.join(', ')}`);
      }
    } else {
      // A reference outside the sampled range is legitimate (dose 0 against doses 0.5–5); it must
      // still be a valid parameter value.
      checkAxisValue(axis, value, path);
    }
  }
}
