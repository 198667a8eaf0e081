/**
 * The parameter catalogue: what each model parameter means, in which unit, and whether it varies per
 * patient — the text behind `GET /v1/model/parameters` and `frontline params`. Defaults and allowed
 * ranges are not repeated here: they come from the parameter definitions (params.ts, params-v2.ts).
 */
import { type ModelId, modelIds } from './models.js';
import { type Domain, type ParamName, SPECS, sampledParamNames } from './params.js';
import { MAX_DOSE_DAYS, NUMBER_SPECS, type ParamNameV2, sampledParamNamesV2Extra } from './params-v2.js';

interface ParameterDoc {
  description: string;
  /** SI-style unit; '' for a dimensionless ratio or fraction. */
  unit: string;
}

const perDay = 'd⁻¹';
const sigma = (of: string): ParameterDoc => ({
  description: `Between-patient spread of ${of}: σ of the log-normal each patient's value is drawn from (0 = every patient gets the median).`,
  unit: '',
});

/** One entry per parameter name of any model version (`cycleDays` is v1's `doseInterval`). */
const docs: Record<ParamName | ParamNameV2, ParameterDoc> = {
  growthRate: {
    description: 'r_F, net growth rate of follower (epithelial) tumour cells, population median.',
    unit: perDay,
  },
  growthRateSigma: sigma('growthRate'),
  leaderGrowthRatio: {
    description: 'ρ_L = r_L / r_F, growth rate of leader (mesenchymal) cells relative to followers.',
    unit: '',
  },
  cellLossFactor: {
    description:
      'φ_loss, fraction of births offset by cell loss; sets the split of stochastic births and deaths.',
    unit: '',
  },
  capacityPrimary: { description: 'K_P, carrying capacity of the primary tumour.', unit: 'cells' },
  capacityMetastatic: { description: 'K_M, carrying capacity of each metastatic site.', unit: 'cells' },
  startCells: { description: 'N_start, cells at tumour initiation.', unit: 'cells' },
  diagnosisCells: {
    description: 'N_dx, primary tumour burden at diagnosis, population median.',
    unit: 'cells',
  },
  diagnosisCellsSigma: sigma('diagnosisCells'),
  lethalCells: { description: 'N_death, total tumour burden at which the patient dies.', unit: 'cells' },
  detectableCells: {
    description: 'N_det, size at which a metastatic lesion becomes detectable.',
    unit: 'cells',
  },
  followerToLeaderRate: {
    description: 'k⁰_FL, baseline switching rate from follower to leader phenotype.',
    unit: perDay,
  },
  leaderToFollowerRate: {
    description: 'k⁰_LF, baseline switching rate from leader back to follower phenotype.',
    unit: perDay,
  },
  emtPlasticity: {
    description: 'p, EMT plasticity: scales both switching rates; population median.',
    unit: '',
  },
  emtPlasticitySigma: sigma('emtPlasticity'),
  drugInducedSwitching: {
    description: 'α_ind, how strongly drug exposure drives followers to switch to leaders.',
    unit: '',
  },
  dose: {
    description: 'c₀, peak drug concentration of each administration, in multiples of the EC50.',
    unit: 'EC50',
  },
  eliminationRate: {
    description: 'k_e, first-order drug elimination rate, population median.',
    unit: perDay,
  },
  eliminationRateSigma: sigma('eliminationRate'),
  maxDrugKill: {
    description: 'E_max, maximal drug kill rate of follower cells, population median.',
    unit: perDay,
  },
  maxDrugKillSigma: sigma('maxDrugKill'),
  leaderDrugSensitivity: {
    description: 'σ_L, drug sensitivity of leader cells relative to followers.',
    unit: '',
  },
  cycleDays: {
    description: 'τ, days between administrations (lf-tid@1; lf-tid@2 calls it doseInterval).',
    unit: 'days',
  },
  doseInterval: { description: 'τ, days between administrations when doseDays is empty.', unit: 'days' },
  cycles: {
    description: 'n_cyc, number of administrations of the interval schedule.',
    unit: 'administrations',
  },
  hill: { description: 'h, Hill coefficient of the drug effect.', unit: '' },
  drugEffectorKill: { description: 'K_E, kill rate of immune effector cells by the drug.', unit: perDay },
  immuneKill: {
    description: 'k_I, kill rate of tumour cells by immune effectors, population median.',
    unit: perDay,
  },
  immuneKillSigma: sigma('immuneKill'),
  effectorTurnover: { description: 'd_E, turnover (death) rate of immune effectors.', unit: perDay },
  effectorRecruitment: {
    description: 'p_E, tumour-driven recruitment rate of immune effectors.',
    unit: perDay,
  },
  effectorHalfSaturation: {
    description: 'g, tumour burden at which effector recruitment is half its maximum.',
    unit: 'cells',
  },
  effectorCap: {
    description: 'E_max,eff, ceiling on effectors, in units of healthy homeostasis.',
    unit: 'homeostatic units',
  },
  leaderImmuneVisibility: {
    description: 'ε_L, visibility of leader cells to immune effectors relative to followers.',
    unit: '',
  },
  leaderSuppression: { description: 'β_S, immune suppression exerted by leader cells.', unit: '' },
  seedingRate: {
    description: 'q, rate at which each leader cell seeds a new metastasis.',
    unit: `${perDay} per leader cell`,
  },
  followerInvasiveness: {
    description: 'θ_F, seeding ability of follower cells relative to leaders.',
    unit: '',
  },
  clusterSize: { description: 'n₀, cells in each seeding cluster.', unit: 'cells' },
  stochasticThreshold: {
    description:
      'N_sw, below this size a site is simulated stochastically (birth–death), above it deterministically.',
    unit: 'cells',
  },
  stepDays: { description: 'Δt, time step after diagnosis.', unit: 'days' },
  preStepDays: { description: 'Δt_pre, time step before diagnosis.', unit: 'days' },
  horizonDays: {
    description: 't_max, follow-up from diagnosis; patients alive then are censored.',
    unit: 'days',
  },
  doseDays: {
    description: `Explicit administration days (ascending, at most ${MAX_DOSE_DAYS}); empty = every doseInterval days, cycles times. Set in params, not an axis.`,
    unit: 'days',
  },
  infusionHours: { description: 'Duration of each infusion; 0 = bolus.', unit: 'hours' },
  stopAtProgression: {
    description:
      '1 = treatment stops at the first scan-confirmed progression; 0 = the full schedule is given.',
    unit: 'flag',
  },
  toxicity: {
    description:
      '1 = simulate the marrow (Friberg model) and the protocol rules (delays, reductions, febrile deaths); 0 = no toxicity.',
    unit: 'flag',
  },
  baselineNeutrophils: {
    description: 'Circ₀, baseline absolute neutrophil count, population median.',
    unit: '10⁹/L',
  },
  baselineNeutrophilsSigma: sigma('baselineNeutrophils'),
  meanTransitTime: {
    description: 'MTT, mean transit time through the marrow compartments, population median.',
    unit: 'days',
  },
  meanTransitTimeSigma: sigma('meanTransitTime'),
  neutrophilFeedback: {
    description: 'γ, exponent of the (Circ₀/Circ)^γ feedback on proliferation.',
    unit: '',
  },
  myelotoxicity: {
    description: 'Slope of the linear drug effect on marrow proliferation, per EC50 unit; population median.',
    unit: 'per EC50',
  },
  myelotoxicitySigma: sigma('myelotoxicity'),
  doseDelayNeutrophils: {
    description: 'ANC required to give a due dose; below it the dose is delayed.',
    unit: '10⁹/L',
  },
  doseReductionStep: { description: 'Fraction of the full dose removed at each reduction level.', unit: '' },
  maxDoseReductions: {
    description: 'Dose reductions allowed; a grade-4 nadir after that many stops treatment.',
    unit: 'reductions',
  },
  febrileDeathHazard: {
    description: 'h_FN, hazard of death while ANC < 0.5·10⁹/L (febrile neutropenia).',
    unit: perDay,
  },
  scanIntervalDays: {
    description: 'Days between tumour assessments (scans); 0 = continuous observation (v1 event rules).',
    unit: 'days',
  },
};

/** One row of the catalogue. `min`/`max` are the allowed range's bounds (`rule` says if they are strict). */
export interface ParameterEntry {
  name: string;
  description: string;
  unit: string;
  default: number | number[];
  min: number | null;
  max: number | null;
  /** The whole domain in words, e.g. "must be ≥ 0 and < 1". */
  rule: string;
  integer: boolean;
  /** Each patient draws their own value around this median (log-normal with σ = `<name>Sigma`). */
  perPatient: boolean;
  /** Can be a design axis (a number; integer parameters only in grid designs). */
  sweepable: boolean;
}

const perPatientNames = new Set<string>([...sampledParamNames, ...sampledParamNamesV2Extra]);

function entry(spec: Domain & { name: string; default: number }): ParameterEntry {
  const bounds: string[] = [];
  if (spec.gt !== undefined) bounds.push(`> ${spec.gt}`);
  if (spec.gte !== undefined) bounds.push(`≥ ${spec.gte}`);
  if (spec.lt !== undefined) bounds.push(`< ${spec.lt}`);
  if (spec.lte !== undefined) bounds.push(`≤ ${spec.lte}`);
  const doc = docs[spec.name as ParamName | ParamNameV2];
  return {
    name: spec.name,
    description: doc.description,
    unit: doc.unit,
    default: spec.default,
    min: spec.gt ?? spec.gte ?? null,
    max: spec.lt ?? spec.lte ?? null,
    rule: [spec.integer ? 'must be an integer' : '', bounds.length ? `must be ${bounds.join(' and ')}` : '']
      .filter(Boolean)
      .join('; '),
    integer: spec.integer === true,
    perPatient: perPatientNames.has(spec.name),
    sweepable: true,
  };
}

const doseDaysEntry: ParameterEntry = {
  name: 'doseDays',
  ...docs.doseDays,
  default: [],
  min: 0,
  max: 1e6,
  rule: `a list of at most ${MAX_DOSE_DAYS} strictly ascending days, each ≥ 0`,
  integer: false,
  perPatient: false,
  sweepable: false,
};

const catalogues: Record<ModelId, ParameterEntry[]> = {
  'lf-tid@1': SPECS.map(entry),
  'lf-tid@2': [
    ...NUMBER_SPECS.slice(0, SPECS.length).map(entry),
    doseDaysEntry,
    ...NUMBER_SPECS.slice(SPECS.length).map(entry),
  ],
};

/** Every parameter of a model, in the order of its definition (each σ after its parameter). */
export function parameterCatalogue(model: ModelId): ParameterEntry[] {
  if (!modelIds.includes(model)) throw new Error(`unknown model ${String(model)}`);
  return catalogues[model];
}
