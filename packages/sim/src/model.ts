/**
 * LF-TID v1 kernel: one virtual patient from tumour initiation through diagnosis, chemotherapy and
 * follow-up (MODEL.md §1–§7). Numerics are the hybrid deterministic/stochastic scheme of §3.
 *
 * Randomness (MODEL.md §5, common random numbers). Patient i of cohort `cohortSeed` uses only
 * `Rng(cohortSeed, i, substream)`:
 *   - substream 0: the per-patient normals Z, six per attempt in the order of `sampledParamNames`
 *     (always drawn, also when σ = 0), so attempt a uses draws 6a … 6a + 5;
 *   - substream 1: everything random after diagnosis (seeding, τ-leaping);
 *   - substream 2 + a: everything random before diagnosis in attempt a (a = number of redraws so far).
 * Hence the sampled Z's and the post-diagnosis stream of patient i never depend on the parameter
 * point, and a patient's pre-diagnosis history does not shift the random numbers of its treatment phase.
 *
 * Performance: the state lives in local variables and two module-level Float64Array scratch
 * buffers; the step loops allocate nothing and create no closures. Empty sites are skipped, the
 * drug is dropped once its effect u(c) ≈ c^h is below 1e-18 (then below double rounding of every
 * quantity it touches).
 */
import {
  ensureValidParams,
  type ModelParams,
  modelId,
  PRE_DIAGNOSIS_LIMIT_DAYS,
  type SampledParamName,
} from './params.js';
import { Rng } from './rng.js';

export type BestResponse = 'CR' | 'PR' | 'SD' | 'PD';

/** Weekly samples (t = 0, 7, 14, … days after diagnosis, at the first step end at or after each). */
export interface PatientTrajectory {
  /** Day of each sample (days since diagnosis). */
  day: number[];
  /** N_P. */
  primaryCells: number[];
  /** N_M. */
  metastaticCells: number[];
  /** φ = (L_P + L_M) / N (the last defined value once the tumour is extinct). */
  leaderFraction: number[];
  /** E. */
  effector: number[];
  /** c (EC50 units). */
  drug: number[];
}

export type SampledParams = Record<SampledParamName, number>;

export interface PatientOutcome {
  patientIndex: number;
  cohortSeed: number;
  osDays: number;
  osEvent: boolean;
  pfsDays: number;
  pfsEvent: boolean;
  mfsDays: number;
  mfsEvent: boolean;
  bestResponse: BestResponse;
  nadirCells: number;
  nadirDay: number;
  leaderFractionAtDiagnosis: number;
  leaderFractionAtNadir: number;
  leaderFractionAtEnd: number;
  metastaticCellsAtDiagnosis: number;
  seedingEvents: number;
  cured: boolean;
  minEffector: number;
  redraws: number;
  sampled: SampledParams;
  trajectory?: PatientTrajectory;
}

export interface SimulateOptions {
  cohortSeed: number;
  patientIndex: number;
  /** Also return the weekly trajectory. */
  trajectory?: boolean;
}

/** Internal options (tests): sampling interval of the trajectory. */
export interface SimulateInternalOptions extends SimulateOptions {
  trajectoryEveryDays?: number;
  /** Override of MAX_REDRAWS (tests). */
  maxRedraws?: number;
}

/** A patient that keeps being rejected as implausible (see MAX_REDRAWS). */
export class SimulationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulationError';
  }
}

/** Redraw cap: beyond this many implausible draws in a row the parameter point is unusable. */
export const MAX_REDRAWS = 1000;
/** RECIST progression: +20 % in diameter = ×1.728 in volume. */
export const PROGRESSION_FACTOR = 1.728;
/** Complete response: nadir below this many cells. */
export const CR_CELLS = 1e7;
/** Partial response: ρ = (nadir / N(0))^(1/3) ≤ 0.7, i.e. nadir / N(0) ≤ 0.343. */
export const PR_RATIO = 0.7 * 0.7 * 0.7;
/** Drug effect u(c) below which the drug is treated as washed out (c < DRUG_EPS^(1/h)). */
const DRUG_EPS = 1e-18;
/** Cap on the per-step growth exponent: only reachable at absurd rates, keeps values finite. */
const MAX_EXP = 200;

const SUB_PARAMS = 0;
const SUB_TREATMENT = 1;
const SUB_PRE_FIRST = 2;

// Module-level scratch (single-threaded per isolate; no re-entrancy in the kernel).
const rngZ = new Rng(0, 0);
const rng = new Rng(0, 0);
/** Population state [F_P, L_P, F_M, L_M]. */
const pop = new Float64Array(4);
const FP = 0;
const LP = 1;
const FM = 2;
const LM = 3;

function checkIndex(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(`simulatePatient: ${name} must be an integer in [0, 2^53 − 1] (got ${String(v)})`);
  }
  return v;
}

/** Unbiased stochastic rounding of a non-negative real to an integer (one uniform draw if fractional). */
function stochasticRound(x: number): number {
  const f = Math.floor(x);
  if (f === x) return x;
  return rng.uniform() < x - f ? f + 1 : f;
}

/**
 * τ-leaping update of one site with integer counts (MODEL.md §3 step 5, N_X < N_sw).
 * bF, bL: birth rates; dF, dL: total per-capita death rates (intrinsic + immune + drug);
 * kFL, kLF: switching rates. Writes the new counts into pop[iF], pop[iL].
 */
function stochasticSite(
  iF: number,
  iL: number,
  kappa: number,
  bF: number,
  dF: number,
  bL: number,
  dL: number,
  kFL: number,
  kLF: number,
  dt: number,
): void {
  let F = stochasticRound(pop[iF]!);
  let L = stochasticRound(pop[iL]!);
  if (F > 0) {
    const births = rng.poisson(bF * kappa * F * dt);
    const deaths = Math.min(F, rng.poisson(dF * F * dt));
    F = F + births - deaths;
  }
  if (L > 0) {
    const births = rng.poisson(bL * kappa * L * dt);
    const deaths = Math.min(L, rng.poisson(dL * L * dt));
    L = L + births - deaths;
  }
  const sFL = F > 0 ? Math.min(F, rng.poisson(kFL * F * dt)) : 0;
  const sLF = L > 0 ? Math.min(L, rng.poisson(kLF * L * dt)) : 0;
  pop[iF] = F - sFL + sLF;
  pop[iL] = L - sLF + sFL;
}

/**
 * Deterministic update of one site (MODEL.md §3 step 5, N_X ≥ N_sw): exact growth/kill for frozen
 * rates, then exact two-state switching relaxation towards L∞ = S·k_FL/k (phiEq = k_FL/k,
 * expK = e^{−kΔt}; no switching when expK = 1).
 */
function deterministicSite(
  iF: number,
  iL: number,
  kappa: number,
  rFdt: number,
  rLdt: number,
  killFdt: number,
  killLdt: number,
  phiEq: number,
  expK: number,
): void {
  let gF = rFdt * kappa - killFdt;
  let gL = rLdt * kappa - killLdt;
  if (gF > MAX_EXP) gF = MAX_EXP;
  if (gL > MAX_EXP) gL = MAX_EXP;
  const F = pop[iF]! * Math.exp(gF);
  let L = pop[iL]! * Math.exp(gL);
  const S = F + L;
  if (expK < 1) {
    const Linf = S * phiEq;
    L = Linf + (L - Linf) * expK;
    if (L < 0) L = 0;
    if (L > S) L = S;
  }
  pop[iF] = S - L;
  pop[iL] = L;
}

/** ln(1 + e^x) without overflow (x = h·ln c, so this is ln(1 + c^h)). */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** Log-linear interpolation of the time at which a quantity going from a to b crosses thr within [t0, t0 + h]. */
function crossingTime(t0: number, h: number, a: number, b: number, thr: number): number {
  if (!(a > 0) || !(b > a) || thr >= b) return t0 + h;
  if (thr <= a) return t0;
  return t0 + (h * Math.log(thr / a)) / Math.log(b / a);
}

/** Per-patient constants shared by both phases. */
interface PatientRates {
  rF: number;
  rL: number;
  bF: number;
  bL: number;
  d0F: number;
  d0L: number;
  kFL0: number; // p · k⁰_FL (spontaneous)
  kLF: number;
  Ndx: number;
  ke: number;
  Emax: number;
  kI: number;
}

const rates: PatientRates = {
  rF: 0,
  rL: 0,
  bF: 0,
  bL: 0,
  d0F: 0,
  d0L: 0,
  kFL0: 0,
  kLF: 0,
  Ndx: 0,
  ke: 0,
  Emax: 0,
  kI: 0,
};

/** Effector after phase 0 (module scratch). */
let effector0 = 1;

/**
 * Phase 0 (pre-diagnosis). Returns true if the patient reaches N_P ≥ N_dx within 20 years while
 * alive and not extinct; the state at diagnosis is left in `pop` and `effector0`.
 */
function runPhase0(p: ModelParams): boolean {
  const { rF, rL, bF, bL, d0F, d0L, kFL0, kLF, Ndx } = rates;
  const dt = p.preStepDays;
  const Nsw = p.stochasticThreshold;
  const KP = p.capacityPrimary;
  const KM = p.capacityMetastatic;
  const Ndeath = p.lethalCells;
  const q = p.seedingRate;
  const thetaF = p.followerInvasiveness;
  const n0 = p.clusterSize;
  const dE = p.effectorTurnover;
  const pE = p.effectorRecruitment;
  const g = p.effectorHalfSaturation;
  const invCap = 1 / p.effectorCap;
  const k = kFL0 + kLF;
  const expK = Math.exp(-k * dt);
  const phiEq = k > 0 ? kFL0 / k : 0;
  const invKP = 1 / KP;
  const invKM = 1 / KM;
  const rFdt = rF * dt;
  const rLdt = rL * dt;

  pop[LP] = p.startCells * phiEq;
  pop[FP] = p.startCells - pop[LP]!;
  pop[FM] = 0;
  pop[LM] = 0;
  let E = 1;
  const maxSteps = Math.ceil(PRE_DIAGNOSIS_LIMIT_DAYS / dt - 1e-9);

  for (let step = 0; ; step++) {
    const NP = pop[FP]! + pop[LP]!;
    if (NP >= Ndx) {
      effector0 = E;
      return true;
    }
    if (NP <= 0 || step >= maxSteps) return false;
    const NM = pop[FM]! + pop[LM]!;
    const N = NP + NM;
    if (N >= Ndeath) return false;
    const phi = (pop[LP]! + pop[LM]!) / N;

    // Effectors (no drug before diagnosis).
    E = E + dt * (dE * (1 - E) + (pE * E * (1 - E * invCap) * N) / (g + N));
    if (E < 0) E = 0;

    // Seeding.
    if (q > 0) {
      const events = rng.poisson(q * (pop[LP]! + thetaF * pop[FP]! + pop[LM]! + thetaF * pop[FM]!) * dt);
      if (events > 0) addClusters(events, n0, phi, NM, Nsw);
    }

    // Sites (λ = 0, no drug).
    const kappaP = Math.max(0, 1 - NP * invKP);
    if (NP >= Nsw) deterministicSite(FP, LP, kappaP, rFdt, rLdt, 0, 0, phiEq, expK);
    else stochasticSite(FP, LP, kappaP, bF, d0F, bL, d0L, kFL0, kLF, dt);
    const NM2 = pop[FM]! + pop[LM]!;
    if (NM2 > 0) {
      const kappaM = Math.max(0, 1 - NM2 * invKM);
      if (NM2 >= Nsw) deterministicSite(FM, LM, kappaM, rFdt, rLdt, 0, 0, phiEq, expK);
      else stochasticSite(FM, LM, kappaM, bF, d0F, bL, d0L, kFL0, kLF, dt);
    }
  }
}

/** Add `events` clusters of n0 cells to site M, split by the current leader fraction φ. */
function addClusters(events: number, n0: number, phi: number, NM: number, Nsw: number): void {
  const cells = events * n0;
  if (NM >= Nsw) {
    const leaders = cells * phi;
    pop[LM] = pop[LM]! + leaders;
    pop[FM] = pop[FM]! + (cells - leaders);
  } else {
    const leaders = stochasticRound(cells * phi);
    pop[LM] = pop[LM]! + leaders;
    pop[FM] = pop[FM]! + (cells - leaders);
  }
}

/**
 * Simulate one virtual patient (MODEL.md §7). `params` must be a complete parameter set, normally
 * from `resolveParams` (otherwise it is validated here and a `ParamError` is thrown).
 */
export function simulatePatient(params: ModelParams, options: SimulateOptions): PatientOutcome {
  return simulatePatientInternal(params, options);
}

export function simulatePatientInternal(
  params: ModelParams,
  options: SimulateInternalOptions,
): PatientOutcome {
  const p = ensureValidParams(params);
  const cohortSeed = checkIndex('cohortSeed', options?.cohortSeed);
  const patientIndex = checkIndex('patientIndex', options?.patientIndex);

  // --- Virtual patient: sample, run phase 0, redraw if implausible ------------------------------
  const maxRedraws = options.maxRedraws ?? MAX_REDRAWS;
  rngZ.reseed(cohortSeed, patientIndex, SUB_PARAMS);
  let redraws = 0;
  let growthRate = 0;
  let diagnosisCells = 0;
  let emtPlasticity = 0;
  let eliminationRate = 0;
  let maxDrugKill = 0;
  let immuneKill = 0;
  for (;;) {
    growthRate = p.growthRate * Math.exp(p.growthRateSigma * rngZ.normal());
    diagnosisCells = p.diagnosisCells * Math.exp(p.diagnosisCellsSigma * rngZ.normal());
    emtPlasticity = p.emtPlasticity * Math.exp(p.emtPlasticitySigma * rngZ.normal());
    eliminationRate = p.eliminationRate * Math.exp(p.eliminationRateSigma * rngZ.normal());
    maxDrugKill = p.maxDrugKill * Math.exp(p.maxDrugKillSigma * rngZ.normal());
    immuneKill = p.immuneKill * Math.exp(p.immuneKillSigma * rngZ.normal());

    const rF = growthRate;
    const rL = p.leaderGrowthRatio * rF;
    rates.rF = rF;
    rates.rL = rL;
    rates.bF = rF / (1 - p.cellLossFactor);
    rates.bL = rL / (1 - p.cellLossFactor);
    rates.d0F = rates.bF - rF;
    rates.d0L = rates.bL - rL;
    rates.kFL0 = emtPlasticity * p.followerToLeaderRate;
    rates.kLF = p.leaderToFollowerRate;
    rates.Ndx = diagnosisCells;
    rates.ke = eliminationRate;
    rates.Emax = maxDrugKill;
    rates.kI = immuneKill;

    rng.reseed(cohortSeed, patientIndex, SUB_PRE_FIRST + redraws);
    if (runPhase0(p)) break;
    redraws++;
    if (redraws >= maxRedraws) {
      throw new SimulationError(
        `${modelId}: patient ${patientIndex} (cohortSeed ${cohortSeed}) was rejected ${redraws} times ` +
          '(never diagnosed within 20 years: extinct, dead before diagnosis, or growing too slowly); ' +
          'check growthRate, startCells, diagnosisCells, capacityPrimary, cellLossFactor',
      );
    }
  }

  // --- Phase 1: treatment and follow-up -----------------------------------------------------
  rng.reseed(cohortSeed, patientIndex, SUB_TREATMENT);
  const { rF, rL, bF, bL, d0F, d0L, kFL0, kLF, ke, Emax, kI } = rates;
  const dtFull = p.stepDays;
  const horizon = p.horizonDays;
  const Nsw = p.stochasticThreshold;
  const KP = p.capacityPrimary;
  const KM = p.capacityMetastatic;
  const Ndeath = p.lethalCells;
  const Ndet = p.detectableCells;
  const q = p.seedingRate;
  const thetaF = p.followerInvasiveness;
  const n0 = p.clusterSize;
  const dE = p.effectorTurnover;
  const pE = p.effectorRecruitment;
  const g = p.effectorHalfSaturation;
  const invCap = 1 / p.effectorCap;
  const KE = p.drugEffectorKill;
  const c0 = p.dose;
  const cycles = c0 > 0 ? p.cycles : 0;
  const tau = p.cycleDays;
  const hill = p.hill;
  /** Washout: below cEps the effect u(c) ≈ c^h < 1e-18 vanishes in double rounding. */
  const cEps = DRUG_EPS ** (1 / hill);
  const alpha = p.drugInducedSwitching;
  const sigmaL = p.leaderDrugSensitivity;
  const epsL = p.leaderImmuneVisibility;
  const betaS = p.leaderSuppression;
  const k0 = kFL0 + kLF;
  const phiEq0 = k0 > 0 ? kFL0 / k0 : 0;
  const invKP = 1 / KP;
  const invKM = 1 / KM;
  const EmaxL = sigmaL * Emax;

  let E = effector0;
  let c = 0;
  let NP = pop[FP]! + pop[LP]!;
  let NM = pop[FM]! + pop[LM]!;
  let N = NP + NM;
  const N0 = N;
  let phi = N > 0 ? (pop[LP]! + pop[LM]!) / N : 0;
  const leaderFractionAtDiagnosis = phi;
  const metastaticCellsAtDiagnosis = NM;
  const metDetectableAtDx = NM >= Ndet;

  let nadir = N0;
  let nadirDay = 0;
  let phiAtNadir = phi;
  let minE = E;
  let seedingEvents = 0;
  let cured = false;
  let crAchieved = N0 < CR_CELLS;
  let prAchieved = crAchieved;
  let deathTime = -1;
  let progTime = -1;
  let lesionTime = -1;
  let endTime = horizon;

  const wantTraj = options.trajectory === true;
  const every = options.trajectoryEveryDays ?? 7;
  let traj: PatientTrajectory | undefined;
  let nextSample = 0;
  if (wantTraj) {
    traj = { day: [], primaryCells: [], metastaticCells: [], leaderFraction: [], effector: [], drug: [] };
    traj.day.push(0);
    traj.primaryCells.push(NP);
    traj.metastaticCells.push(NM);
    traj.leaderFraction.push(phi);
    traj.effector.push(E);
    traj.drug.push(c);
    nextSample = every;
  }

  if (N0 >= Ndeath) {
    deathTime = 0;
    endTime = 0;
  } else {
    const nSteps = Math.ceil(horizon / dtFull - 1e-9);
    let dt = dtFull;
    let expKe = Math.exp(-ke * dt);
    let expK0 = Math.exp(-k0 * dt);
    let rFdt = rF * dt;
    let rLdt = rL * dt;
    let doseIdx = 0;
    for (let step = 0; step < nSteps; step++) {
      const t = step * dtFull;
      if (step === nSteps - 1 && t + dtFull > horizon) {
        // Shortened last step so that follow-up ends exactly at t_max.
        dt = horizon - t;
        expKe = Math.exp(-ke * dt);
        expK0 = Math.exp(-k0 * dt);
        rFdt = rF * dt;
        rLdt = rL * dt;
      }
      const tEnd = t + dt;

      // 1. dosing
      while (doseIdx < cycles && doseIdx * tau < t + dt * (1 - 1e-9)) {
        c += c0;
        doseIdx++;
      }
      // 2. drug exposure U = ∫u dt over the step, exact for any h: ln[(1 + c^h)/(1 + c1^h)] / (h·k_e)
      let U = 0;
      if (c > 0) {
        const c1 = c * expKe;
        if (hill === 1) U = Math.log1p((c - c1) / (1 + c1)) / ke;
        else U = (softplus(hill * Math.log(c)) - softplus(hill * Math.log(c1))) / (hill * ke);
        c = c1 < cEps ? 0 : c1;
      }
      const uBar = U / dt;

      // rates frozen at the start of the step
      const invGN = 1 / (g + N);
      const lambda = kI > 0 ? (kI * E * g * invGN) / (1 + betaS * phi) : 0;
      const LPs = pop[LP]!;
      const FPs = pop[FP]!;
      const NMstart = NM;

      // 3. effectors
      E = E + dt * (dE * (1 - E) + pE * E * (1 - E * invCap) * N * invGN);
      if (U > 0) E *= Math.exp(-KE * U);
      if (E < 0) E = 0;

      // 4. seeding
      if (q > 0) {
        const events = rng.poisson(q * (LPs + thetaF * FPs + pop[LM]! + thetaF * pop[FM]!) * dt);
        if (events > 0) {
          seedingEvents += events;
          addClusters(events, n0, phi, NM, Nsw);
        }
      }

      // 5. sites
      let kFL = kFL0;
      let phiEq = phiEq0;
      let expK = expK0;
      if (uBar > 0 && kFL0 > 0 && alpha > 0) {
        kFL = kFL0 * (1 + alpha * uBar);
        const k = kFL + kLF;
        phiEq = kFL / k;
        expK = Math.exp(-k * dt);
      }
      const lambdaDt = lambda * dt;
      const killFdt = lambdaDt + Emax * U;
      const killLdt = epsL * lambdaDt + EmaxL * U;
      const deathF = d0F + lambda + uBar * Emax;
      const deathL = d0L + epsL * lambda + uBar * EmaxL;
      if (NP > 0) {
        if (NP >= Nsw) {
          deterministicSite(FP, LP, Math.max(0, 1 - NP * invKP), rFdt, rLdt, killFdt, killLdt, phiEq, expK);
        } else {
          stochasticSite(FP, LP, Math.max(0, 1 - NP * invKP), bF, deathF, bL, deathL, kFL, kLF, dt);
        }
      }
      const NMs = pop[FM]! + pop[LM]!;
      if (NMs > 0) {
        if (NMs >= Nsw) {
          deterministicSite(FM, LM, Math.max(0, 1 - NMs * invKM), rFdt, rLdt, killFdt, killLdt, phiEq, expK);
        } else {
          stochasticSite(FM, LM, Math.max(0, 1 - NMs * invKM), bF, deathF, bL, deathL, kFL, kLF, dt);
        }
      }

      // 6. events
      const Nprev = N;
      NP = pop[FP]! + pop[LP]!;
      NM = pop[FM]! + pop[LM]!;
      N = NP + NM;
      if (N > 0) phi = (pop[LP]! + pop[LM]!) / N;
      if (E < minE) minE = E;

      if (N >= Ndeath) deathTime = crossingTime(t, dt, Nprev, N, Ndeath);
      if (progTime < 0 && N >= PROGRESSION_FACTOR * nadir) {
        progTime = crossingTime(t, dt, Nprev, N, PROGRESSION_FACTOR * nadir);
      }
      if (lesionTime < 0 && !metDetectableAtDx && NM >= Ndet) {
        lesionTime = crossingTime(t, dt, NMstart, NM, Ndet);
        if (progTime < 0 || lesionTime < progTime) progTime = lesionTime;
      }
      if (N < nadir) {
        nadir = N;
        nadirDay = tEnd;
        phiAtNadir = phi;
        if (progTime < 0) {
          if (N < CR_CELLS) crAchieved = true;
          if (N <= PR_RATIO * N0) prAchieved = true;
        }
      }
      if (wantTraj && tEnd >= nextSample - 1e-9) {
        traj!.day.push(tEnd);
        traj!.primaryCells.push(NP);
        traj!.metastaticCells.push(NM);
        traj!.leaderFraction.push(phi);
        traj!.effector.push(E);
        traj!.drug.push(c);
        while (nextSample <= tEnd + 1e-9) nextSample += every;
      }
      if (deathTime >= 0) {
        endTime = deathTime;
        break;
      }
      if (N === 0) {
        cured = true;
        endTime = tEnd;
        break;
      }
    }
  }

  const osEvent = deathTime >= 0;
  const osDays = osEvent ? deathTime : horizon;
  const pfsEvent = progTime >= 0 || osEvent;
  const pfsDays = progTime >= 0 ? (osEvent ? Math.min(progTime, deathTime) : progTime) : osDays;
  const mfsEvent = lesionTime >= 0 || osEvent;
  const mfsDays = lesionTime >= 0 ? (osEvent ? Math.min(lesionTime, deathTime) : lesionTime) : osDays;
  void endTime;

  let bestResponse: BestResponse;
  if (crAchieved) bestResponse = 'CR';
  else if (prAchieved) bestResponse = 'PR';
  else if (pfsEvent) bestResponse = 'PD';
  else bestResponse = 'SD';

  const out: PatientOutcome = {
    patientIndex,
    cohortSeed,
    osDays,
    osEvent,
    pfsDays,
    pfsEvent,
    mfsDays,
    mfsEvent,
    bestResponse,
    nadirCells: nadir,
    nadirDay,
    leaderFractionAtDiagnosis,
    leaderFractionAtNadir: phiAtNadir,
    leaderFractionAtEnd: phi,
    metastaticCellsAtDiagnosis,
    seedingEvents,
    cured,
    minEffector: minE,
    redraws,
    sampled: { growthRate, diagnosisCells, emtPlasticity, eliminationRate, maxDrugKill, immuneKill },
  };
  if (traj) out.trajectory = traj;
  return out;
}
