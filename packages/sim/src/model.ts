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
 * Performance: one step is one call of a small function (`phase0Step`, `phase1Step`) whose state
 * lives in module-level Float64Arrays (`pop`, `S`, per-patient constants `K`), with only small-integer
 * arguments and results. V8 then optimises the step functions normally (no on-stack replacement of a
 * long loop compiled from incomplete feedback), nothing floating-point is ever boxed, and a step
 * allocates nothing and creates no closures. Empty sites are skipped, and the drug is dropped once
 * its effect u(c) ≈ c^h is below 1e-18 (then below double rounding of every quantity it touches).
 */
import {
  ensureValidParams,
  type ModelParams,
  modelId,
  PRE_DIAGNOSIS_LIMIT_DAYS,
  type SampledParamName,
} from './params.js';
import type { ModelParamsV2, sampledParamNamesV2Extra } from './params-v2.js';
import {
  bestOverallResponse,
  lesionDiameterMm,
  MEASURABLE_MM,
  RECIST_CR,
  RECIST_PD,
  type RecistResponse,
  recistTimePoint,
} from './recist.js';
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

/** v2 trajectory: v1's samples plus the absolute neutrophil count (10⁹/L). */
export interface PatientTrajectoryV2 extends PatientTrajectory {
  neutrophils: number[];
}

export type SampledParamsV2 = SampledParams & Record<(typeof sampledParamNamesV2Extra)[number], number>;

/** An lf-tid@2 outcome: v1's fields (v1 meaning) plus the v2 fields of docs/model-v2.md §6. */
export interface PatientOutcomeV2 extends Omit<PatientOutcome, 'sampled' | 'trajectory'> {
  sampled: SampledParamsV2;
  /** (delivered / actual duration) ÷ (planned dose / planned interval); 0 if nothing was given. */
  relativeDoseIntensity: number;
  /** Σ of the administered doses (EC50 units). */
  deliveredDose: number;
  /** Administrations given. */
  cyclesReceived: number;
  /** Administrations delayed for ANC below the re-treatment threshold. */
  doseDelays: number;
  /** Reduction levels taken. */
  doseReductions: number;
  /** CTCAE v5 grade of the ANC nadir (0 with toxicity off). */
  worstNeutropeniaGrade: number;
  /** Lowest ANC after diagnosis (10⁹/L) and its day. */
  neutrophilNadir: number;
  neutrophilNadirDay: number;
  /** Death from febrile neutropenia. */
  toxicDeath: boolean;
  /** RECIST 1.1 best overall response with confirmation. */
  recistBestResponse: RecistResponse;
  /** Confirmed CR or PR. */
  objectiveResponse: boolean;
  /** Scan-based PFS: the PD scan's date, or death; censored at the last scan. */
  scanPfsDays: number;
  scanPfsEvent: boolean;
  /** Post-baseline scans read. */
  scans: number;
  trajectory?: PatientTrajectoryV2;
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

const NOT_YET = Number.NEGATIVE_INFINITY;

const SUB_PARAMS = 0;
const SUB_TREATMENT = 1;
const SUB_PRE_FIRST = 2;

// Module-level scratch (single-threaded per isolate; the kernel is not re-entrant).
const rngZ = new Rng(0, 0);
const rng = new Rng(0, 0);

/** Population state [F_P, L_P, F_M, L_M]. */
const pop = new Float64Array(4);
const FP = 0;
const LP = 1;
const FM = 2;
const LM = 3;

/** Per-patient constants (set once per attempt; the step-size block again per phase). */
const K = new Float64Array(80);
const K_RF = 0;
const K_RL = 1;
const K_BF = 2;
const K_BL = 3;
const K_D0F = 4;
const K_D0L = 5;
const K_KFL0 = 6; // p · k⁰_FL
const K_KLF = 7;
const K_PHIEQ0 = 8; // k_FL / (k_FL + k_LF) without drug
const K_NDX = 9;
const K_KE = 10;
const K_EMAX = 11;
const K_EMAXL = 12; // σ_L · E_max
const K_KI = 13;
const K_NSW = 14;
const K_INVKP = 15;
const K_INVKM = 16;
const K_NDEATH = 17;
const K_NDET = 18;
const K_Q = 19;
const K_THETAF = 20;
const K_N0 = 21;
const K_DE = 22;
const K_PE = 23;
const K_G = 24;
const K_INVCAP = 25;
const K_KEFF = 26; // K_E, drug kill of effectors
const K_C0 = 27;
const K_CYCLES = 28;
const K_TAU = 29;
const K_HILL = 30;
const K_CEPS = 31;
const K_ALPHA = 32;
const K_EPSL = 33;
const K_BETAS = 34;
const K_K0 = 35; // k_FL + k_LF without drug
// step-size block
const K_DTFULL = 40;
const K_DT = 41;
const K_EXPKE = 42;
const K_EXPK0 = 43;
const K_RFDT = 44;
const K_RLDT = 45;
const K_EXPKTR = 46; // e^{−k_tr Δt} (v2)
// lf-tid@2 block (docs/model-v2.md); K_V2 = 0 for lf-tid@1, which never reads the rest.
const K_V2 = 48;
const K_TOX = 49;
const K_INFDAYS = 50;
const K_STOPPROG = 51;
const K_CIRC0 = 52;
const K_KTR = 53;
const K_GAMMA = 54;
const K_SLOPE = 55;
const K_DELAYANC = 56;
const K_REDSTEP = 57;
const K_MAXRED = 58;
const K_HFN = 59;
const K_SCAN = 60;
const K_NDOSES = 61;
const K_FRAILTY = 62;
const K_PLANINT = 63; // Λ, planned interval (dose intensity)
const K_EXPLICIT = 64; // 1: explicit doseDays
const K_HORIZON = 65;

/** Mutable per-patient scalars. */
const S = new Float64Array(64);
const S_E = 0;
const S_C = 1;
const S_N = 2;
const S_NP = 3;
const S_NM = 4;
const S_PHI = 5;
const S_NADIR = 6;
const S_NADIRDAY = 7;
const S_PHINADIR = 8;
const S_MINE = 9;
const S_SEEDEV = 10;
const S_DEATH = 11;
const S_PROG = 12;
const S_LESION = 13;
const S_CR = 14;
const S_PR = 15;
const S_N0 = 16;
const S_METDET = 17;
const S_DOSEIDX = 18;
const S_CURED = 19;
// lf-tid@2 state
const S_SHIFT = 24; // accumulated dose delay δ
const S_LEVEL = 25; // dose reduction level
const S_PENDRED = 26; // 1: grade-4 ANC since the last dose
const S_DELAYED = 27; // 1: the due dose has been delayed (counted)
const S_DELAYS = 28;
const S_STOPPED = 29; // 1: no more doses (progression, reductions exhausted)
const S_DELIVERED = 30;
const S_TFIRST = 31;
const S_TLAST = 32;
const S_INFRATE = 33;
const S_INFEND = 34; // end of the running infusion (NOT_YET: none, always for v1)
const S_AUC = 35; // ∫c dt over the current step (marrow)
const S_MARROW = 36; // 1: marrow integrated
const S_CUMHAZ = 37; // cumulative febrile-neutropenia hazard
const S_ANCMIN = 38;
const S_ANCMINDAY = 39;
const S_TOXDEATH = 40;
const S_NSCANS = 41; // post-baseline scans read
const S_SLD0 = 42;
const S_NADIRSLD = 43;
const S_PTARGET = 44;
const S_MTARGET = 45;
const S_SCANPD = 46; // day of the PD scan (NOT_YET: none)
const S_SCANSDONE = 47;
const S_LASTSCAN = 48; // day of the last scan read

/** Marrow compartments [Prol, T1, T2, T3, Circ] (10⁹/L), Friberg et al. 2002. */
const M = new Float64Array(5);
const M_CIRC = 4;
/** CTCAE v5 grade-4 neutropenia: ANC below this (10⁹/L). */
export const GRADE4_ANC = 0.5;
/** CTCAE v5 neutropenia grade of an ANC (10⁹/L), lower limit of normal taken as 2.0. */
export function neutropeniaGrade(anc: number): number {
  return anc < 0.5 ? 4 : anc < 1 ? 3 : anc < 1.5 ? 2 : anc < 2 ? 1 : 0;
}
/** Explicit administration days of the current v2 patient. */
const doseDaysBuf = new Float64Array(200);
/** Scans of the current v2 patient: day and time-point code. */
let scanDay = new Float64Array(64);
let scanCode = new Float64Array(64);
/** Substream of the v2 per-patient marrow draws and frailty (far from 2 + redraws). */
const SUB_MARROW = 4294967295;

/**
 * Per-step rates shared by the site updates (set by the step functions; read by `updateSite`).
 * Passed through this buffer so that site updates take only small-integer arguments: a call V8 does
 * not inline would otherwise box every floating-point argument on the heap.
 */
const R = new Float64Array(9);
const R_KAPPA = 0; // crowding κ of the site being updated
const R_KILLF = 1; // follower (immune rate)·Δt + E_max·U
const R_KILLL = 2; // leader ε_L·(immune rate)·Δt + σ_L·E_max·U
const R_DF = 3; // follower per-capita death rate for τ-leaping: d0 + λ + ū·E_max
const R_DL = 4; // leader per-capita death rate for τ-leaping
const R_KFL = 5; // follower → leader switching rate this step
const R_PHIEQ = 6; // k_FL / (k_FL + k_LF)
const R_EXPK = 7; // e^{−(k_FL + k_LF)Δt}
const R_PHISEED = 8; // φ at the start of the step (cluster composition)

/** Arguments and result of the rare-path helpers `crossing` and `exposureHill`. */
const X = new Float64Array(6);
const X_A = 0;
const X_B = 1;
const X_C = 2;
const X_D = 3;
const X_E = 4;
const X_OUT = 5;

/** Step results. */
const CONTINUE = 0;
const DIAGNOSED = 1;
const REJECTED = 2;
const ENDED = 3;

function checkIndex(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(`simulatePatient: ${name} must be an integer in [0, 2^53 − 1] (got ${String(v)})`);
  }
  return v;
}

/**
 * τ-leaping update of one site with integer counts (MODEL.md §3 step 5, N_X < N_sw), rates from
 * `R` and `K`. Births and deaths are drawn from the counts at the start of the step (deaths capped
 * at that count), then switches from the updated counts (capped at the source). Writes the new
 * counts into pop[iF], pop[iL].
 */
function stochasticSite(iF: number, iL: number): void {
  const dt = K[K_DT]!;
  const kappa = R[R_KAPPA]!;
  const io = rng.io;
  // Real-valued counts (a site that just fell below N_sw) are rounded stochastically (unbiased).
  io[0] = pop[iF]!;
  rng.roundIo();
  let F = io[1]!;
  io[0] = pop[iL]!;
  rng.roundIo();
  let L = io[1]!;
  if (F > 0) {
    io[0] = K[K_BF]! * kappa * F * dt;
    rng.poissonIo();
    const births = io[1]!;
    io[0] = R[R_DF]! * F * dt;
    rng.poissonIo();
    F = F + births - Math.min(F, io[1]!);
  }
  if (L > 0) {
    io[0] = K[K_BL]! * kappa * L * dt;
    rng.poissonIo();
    const births = io[1]!;
    io[0] = R[R_DL]! * L * dt;
    rng.poissonIo();
    L = L + births - Math.min(L, io[1]!);
  }
  let sFL = 0;
  if (F > 0) {
    io[0] = R[R_KFL]! * F * dt;
    rng.poissonIo();
    sFL = Math.min(F, io[1]!);
  }
  let sLF = 0;
  if (L > 0) {
    io[0] = K[K_KLF]! * L * dt;
    rng.poissonIo();
    sLF = Math.min(L, io[1]!);
  }
  pop[iF] = F - sFL + sLF;
  pop[iL] = L - sLF + sFL;
}

/**
 * Deterministic update of one site (MODEL.md §3 step 5, N_X ≥ N_sw), rates from `R` and `K`: exact
 * growth/kill for frozen rates, then exact two-state switching relaxation towards L∞ = S·k_FL/k
 * (no switching when e^{−kΔt} = 1).
 */
function deterministicSite(iF: number, iL: number): void {
  const kappa = R[R_KAPPA]!;
  let gF = K[K_RFDT]! * kappa - R[R_KILLF]!;
  let gL = K[K_RLDT]! * kappa - R[R_KILLL]!;
  if (gF > MAX_EXP) gF = MAX_EXP;
  if (gL > MAX_EXP) gL = MAX_EXP;
  const F = pop[iF]! * Math.exp(gF);
  let L = pop[iL]! * Math.exp(gL);
  const sum = F + L;
  const expK = R[R_EXPK]!;
  if (expK < 1) {
    const Linf = sum * R[R_PHIEQ]!;
    L = Linf + (L - Linf) * expK;
    if (L < 0) L = 0;
    if (L > sum) L = sum;
  }
  pop[iF] = sum - L;
  pop[iL] = L;
}

/** Update site (iF, iL) of current size N_X — deterministically if N_X ≥ N_sw, else by τ-leaping. */
function updateSite(iF: number, iL: number, iK: number): void {
  const n = pop[iF]! + pop[iL]!;
  if (n <= 0) return; // empty site: nothing to do
  R[R_KAPPA] = Math.max(0, 1 - n * K[iK]!);
  if (n >= K[K_NSW]!) deterministicSite(iF, iL);
  else stochasticSite(iF, iL);
}

/**
 * Add the seeding clusters just drawn (rng.io[1] events of n₀ cells each) to site M, split by the
 * leader fraction φ (in R[R_PHISEED]): exactly when M is deterministic (size at the start of the
 * step ≥ N_sw), by unbiased stochastic rounding of the leader count otherwise. No floating-point
 * arguments (see `R`).
 */
function addClusters(deterministic: boolean): void {
  const io = rng.io;
  const cells = io[1]! * K[K_N0]!; // events: the Poisson count just drawn
  const exact = cells * R[R_PHISEED]!;
  if (deterministic) {
    pop[LM] = pop[LM]! + exact;
    pop[FM] = pop[FM]! + (cells - exact);
  } else {
    io[0] = exact;
    rng.roundIo();
    pop[LM] = pop[LM]! + io[1]!;
    pop[FM] = pop[FM]! + (cells - io[1]!);
  }
}

/**
 * ln(1 + x) for x ≥ 0, accurate to a few ulps (Goldberg's correction: ln(u)·x/(u − 1), u = 1 + x).
 * Used instead of Math.log1p, which on Node 20 is not lowered by TurboFan and boxes its argument
 * and result (the hot h = 1 path in phase1Step writes it out for the same reason).
 */
function log1p(x: number): number {
  const u = 1 + x;
  return u === 1 ? x : (Math.log(u) * x) / (u - 1);
}

/** ln(1 + e^x) without overflow (x = h·ln c, so this is ln(1 + c^h)). */
function softplus(x: number): number {
  return x > 0 ? x + log1p(Math.exp(-x)) : log1p(Math.exp(x));
}

/** Exposure over a step for h ≠ 1 (rare path; arguments and result in X, see `R`). */
function exposureHill(): void {
  const hill = X[X_A]!;
  X[X_OUT] = (softplus(hill * Math.log(X[X_B]!)) - softplus(hill * Math.log(X[X_C]!))) / (hill * X[X_D]!);
}

/**
 * Log-linear interpolation of the time at which a quantity going from a to b crosses thr within
 * [t0, t0 + h]; arguments X[X_A..X_E] = t0, h, a, b, thr, result X[X_OUT].
 */
function crossing(): void {
  const t0 = X[X_A]!;
  const h = X[X_B]!;
  const a = X[X_C]!;
  const b = X[X_D]!;
  const thr = X[X_E]!;
  let t = t0 + h;
  if (a > 0 && b > a && thr < b) t = thr <= a ? t0 : t0 + (h * Math.log(thr / a)) / Math.log(b / a);
  X[X_OUT] = t;
}

/** Set the step-size dependent constants. */
function setStep(dt: number): void {
  K[K_DT] = dt;
  K[K_EXPKE] = Math.exp(-K[K_KE]! * dt);
  K[K_EXPK0] = Math.exp(-K[K_K0]! * dt);
  K[K_RFDT] = K[K_RF]! * dt;
  K[K_RLDT] = K[K_RL]! * dt;
  K[K_EXPKTR] = Math.exp(-K[K_KTR]! * dt);
}

/**
 * One pre-diagnosis step (phase 0: Δt_pre, no drug, no immune kill). Checks diagnosis first.
 * Returns DIAGNOSED (state at diagnosis in `pop`, S[S_E]), REJECTED (extinct primary, death before
 * diagnosis, or the 20-year limit) or CONTINUE.
 */
function phase0Step(step: number, maxSteps: number): number {
  const NP = pop[FP]! + pop[LP]!;
  if (NP >= K[K_NDX]!) return DIAGNOSED;
  if (NP <= 0 || step >= maxSteps) return REJECTED;
  const NM = pop[FM]! + pop[LM]!;
  const N = NP + NM;
  if (N >= K[K_NDEATH]!) return REJECTED;
  const phi = (pop[LP]! + pop[LM]!) / N;
  const dt = K[K_DT]!;

  // Effectors (no drug before diagnosis).
  let E = S[S_E]!;
  E = E + dt * (K[K_DE]! * (1 - E) + (K[K_PE]! * E * (1 - E * K[K_INVCAP]!) * N) / (K[K_G]! + N));
  S[S_E] = Math.max(E, 0);

  // Seeding.
  const q = K[K_Q]!;
  if (q > 0) {
    const thetaF = K[K_THETAF]!;
    const io = rng.io;
    io[0] = q * (pop[LP]! + thetaF * pop[FP]! + pop[LM]! + thetaF * pop[FM]!) * dt;
    rng.poissonIo();
    const events = io[1]!;
    if (events > 0) {
      R[R_PHISEED] = phi;
      addClusters(NM >= K[K_NSW]!);
    }
  }

  // Sites (λ = 0, no drug).
  R[R_KILLF] = 0;
  R[R_KILLL] = 0;
  R[R_DF] = K[K_D0F]!;
  R[R_DL] = K[K_D0L]!;
  R[R_KFL] = K[K_KFL0]!;
  R[R_PHIEQ] = K[K_PHIEQ0]!;
  R[R_EXPK] = K[K_EXPK0]!;
  updateSite(FP, LP, K_INVKP);
  updateSite(FM, LM, K_INVKM);
  return CONTINUE;
}

/**
 * lf-tid@2 dosing at the start of step `step` (docs/model-v2.md §1, §3): every administration due
 * before the end of the step is given unless the ANC is below the re-treatment threshold (then it is
 * delayed to a later step) or the reductions are exhausted (then treatment stops). A delayed dose
 * shifts every later one. With toxicity off and no delay this gives exactly v1's doses.
 */
function dosingV2(step: number): void {
  const dt = K[K_DT]!;
  const t = step * K[K_DTFULL]!;
  const due = t + dt * (1 - 1e-9);
  const n = K[K_NDOSES]!;
  const tau = K[K_TAU]!;
  const explicit = K[K_EXPLICIT] === 1;
  const tox = K[K_TOX] === 1;
  let k = S[S_DOSEIDX]!;
  let c = S[S_C]!;
  while (k < n) {
    const scheduled = (explicit ? doseDaysBuf[k]! : k * tau) + S[S_SHIFT]!;
    if (!(scheduled < due)) break;
    if (tox) {
      if (M[M_CIRC]! < K[K_DELAYANC]!) {
        if (S[S_DELAYED] === 0) {
          S[S_DELAYED] = 1;
          S[S_DELAYS] = S[S_DELAYS]! + 1;
        }
        break;
      }
      if (S[S_PENDRED] === 1) {
        if (S[S_LEVEL]! >= K[K_MAXRED]!) {
          S[S_STOPPED] = 1;
          break;
        }
        S[S_LEVEL] = S[S_LEVEL]! + 1;
        S[S_PENDRED] = 0;
      }
    }
    if (S[S_DELAYED] === 1) {
      if (t > scheduled) S[S_SHIFT] = S[S_SHIFT]! + (t - scheduled);
      S[S_DELAYED] = 0;
    }
    const amount = K[K_C0]! * (1 - S[S_LEVEL]! * K[K_REDSTEP]!);
    if (K[K_INFDAYS]! > 0) {
      S[S_INFRATE] = amount / K[K_INFDAYS]!;
      S[S_INFEND] = t + K[K_INFDAYS]!;
    } else {
      c += amount;
    }
    if (k === 0) S[S_TFIRST] = t;
    S[S_TLAST] = t;
    S[S_DELIVERED] = S[S_DELIVERED]! + amount;
    k++;
  }
  S[S_DOSEIDX] = k;
  S[S_C] = c;
}

/** u(c) = c^h / (1 + c^h). */
function drugEffect(c: number, hill: number): number {
  const ch = hill === 1 ? c : c > 0 ? Math.exp(hill * Math.log(c)) : 0;
  return ch / (1 + ch);
}

/**
 * Exposure over a step with an infusion running (rare path): c(s) = c·e^{−k_e s} + (R/k_e)(1 − e^{−k_e s})
 * while infusing, Simpson's rule (8 intervals) for U = ∫u(c); after the infusion ends within the
 * step, the exact bolus formula. Writes U to X[X_OUT], AUC to S[S_AUC], the new c to S[S_C].
 */
function infusionStep(step: number): void {
  const dt = K[K_DT]!;
  const t = step * K[K_DTFULL]!;
  const ke = K[K_KE]!;
  const hill = K[K_HILL]!;
  const c0 = S[S_C]!;
  const rate = S[S_INFRATE]!;
  const cInf = rate / ke; // plateau of an endless infusion
  const a = Math.min(dt, S[S_INFEND]! - t);
  const h = a / 8;
  let sum = 0;
  for (let i = 0; i <= 8; i++) {
    const e = Math.exp(-ke * h * i);
    const ci = c0 * e + cInf * (1 - e);
    sum += (i === 0 || i === 8 ? 1 : i % 2 === 1 ? 4 : 2) * drugEffect(ci, hill);
  }
  let U = (sum * h) / 3;
  const ea = Math.exp(-ke * a);
  const ca = c0 * ea + cInf * (1 - ea);
  let auc = (c0 * (1 - ea)) / ke + cInf * (a - (1 - ea) / ke);
  let c = ca;
  const rest = dt - a;
  if (rest > 0) {
    const c1 = ca * Math.exp(-ke * rest);
    if (hill === 1) U += log1p((ca - c1) / (1 + c1)) / ke;
    else {
      X[X_A] = hill;
      X[X_B] = ca;
      X[X_C] = c1;
      X[X_D] = ke;
      exposureHill();
      U += X[X_OUT]!;
    }
    auc += (ca - c1) / ke;
    c = c1 < K[K_CEPS]! ? 0 : c1;
  }
  if (S[S_MARROW] === 1) S[S_AUC] = auc;
  S[S_C] = c;
  X[X_OUT] = U;
}

/** Grow the scan buffers to hold at least `n` scans (rare: more than 64 scans in a follow-up). */
function ensureScanCapacity(n: number): void {
  if (n <= scanDay.length) return;
  const size = Math.max(n, 2 * scanDay.length);
  const day2 = new Float64Array(size);
  const code2 = new Float64Array(size);
  day2.set(scanDay);
  code2.set(scanCode);
  scanDay = day2;
  scanCode = code2;
}

/** Read the scan dated `day` from the state at the end of the current step (docs/model-v2.md §4). */
function readScan(day: number): void {
  const dP = lesionDiameterMm(S[S_NP]!);
  const dM = lesionDiameterMm(S[S_NM]!);
  const sum = (S[S_PTARGET] === 1 ? dP : 0) + (S[S_MTARGET] === 1 ? dM : 0);
  const newLesion = S[S_MTARGET] === 0 && dM >= MEASURABLE_MM;
  const code = recistTimePoint(sum, S[S_SLD0]!, S[S_NADIRSLD]!, newLesion, S[S_N]! < CR_CELLS);
  let i = S[S_NSCANS]!;
  ensureScanCapacity(i + 1);
  scanDay[i] = day;
  scanCode[i] = code;
  S[S_NSCANS] = ++i;
  S[S_LASTSCAN] = day;
  if (sum < S[S_NADIRSLD]!) S[S_NADIRSLD] = sum;
  if (code === RECIST_PD) {
    S[S_SCANPD] = day;
    S[S_SCANSDONE] = 1;
    if (K[K_STOPPROG] === 1) S[S_STOPPED] = 1;
  }
}

/**
 * lf-tid@2 work at the end of a phase-1 step: progression stop (continuous observation),
 * febrile-neutropenia hazard and the marrow update (Friberg), scans. Returns the step status.
 */
function afterStepV2(step: number, status: number): number {
  const dt = K[K_DT]!;
  const t = step * K[K_DTFULL]!;
  const tEnd = t + dt;
  if (K[K_SCAN] === 0 && S[S_PROG]! >= 0 && K[K_STOPPROG] === 1) S[S_STOPPED] = 1;

  if (S[S_MARROW] === 1) {
    const circ0 = K[K_CIRC0]!;
    const circ = M[M_CIRC]!;
    // Febrile-neutropenia death: hazard over the step if the ANC at its start is grade 4.
    const hFN = K[K_HFN]!;
    if (circ < GRADE4_ANC && hFN > 0) {
      const h0 = S[S_CUMHAZ]!;
      const h1 = h0 + hFN * dt;
      S[S_CUMHAZ] = h1;
      const frailty = K[K_FRAILTY]!;
      if (h1 >= frailty) {
        const td = t + (frailty - h0) / hFN;
        const dead = S[S_DEATH]!;
        if (dead < 0 || td < dead) {
          S[S_DEATH] = td;
          S[S_TOXDEATH] = 1;
          S[S_CURED] = 0;
          status = ENDED;
        }
      }
    }
    // Friberg: exact Prol update for the frozen feedback, transit chain by exponential averaging.
    const ktr = K[K_KTR]!;
    const fb = Math.exp(K[K_GAMMA]! * Math.log(circ0 / circ));
    const e = K[K_EXPKTR]!;
    const w = 0.5 * (1 - e);
    const p0 = M[0]!;
    const p1 = p0 * Math.exp(ktr * (fb - 1) * dt - ktr * fb * K[K_SLOPE]! * S[S_AUC]!);
    const t1 = M[1]!;
    const t1n = t1 * e + (p0 + p1) * w;
    const t2 = M[2]!;
    const t2n = t2 * e + (t1 + t1n) * w;
    const t3 = M[3]!;
    const t3n = t3 * e + (t2 + t2n) * w;
    const circ1 = circ * e + (t3 + t3n) * w;
    M[0] = p1;
    M[1] = t1n;
    M[2] = t2n;
    M[3] = t3n;
    M[M_CIRC] = circ1;
    S[S_AUC] = 0;
    if (circ1 < S[S_ANCMIN]!) {
      S[S_ANCMIN] = circ1;
      S[S_ANCMINDAY] = tEnd;
    }
    if (circ1 < GRADE4_ANC) S[S_PENDRED] = 1;
    // Treatment over and drug gone: stop integrating once every compartment is within 0.1 % of Circ₀.
    if ((S[S_DOSEIDX]! >= K[K_NDOSES]! || S[S_STOPPED] === 1) && S[S_C] === 0 && !(S[S_INFEND]! > tEnd)) {
      const tol = 1e-3 * circ0;
      if (
        Math.abs(p1 - circ0) < tol &&
        Math.abs(t1n - circ0) < tol &&
        Math.abs(t2n - circ0) < tol &&
        Math.abs(t3n - circ0) < tol &&
        Math.abs(circ1 - circ0) < tol
      ) {
        S[S_MARROW] = 0;
      }
    }
  }

  const interval = K[K_SCAN]!;
  if (interval > 0 && S[S_SCANSDONE] === 0) {
    const death = S[S_DEATH]!;
    for (;;) {
      const day = (S[S_NSCANS]! + 1) * interval;
      if (day > K[K_HORIZON]! || (death >= 0 && day > death)) {
        if (day > K[K_HORIZON]!) S[S_SCANSDONE] = 1;
        break;
      }
      if (day > tEnd + 1e-9) break;
      readScan(day);
      if ((S[S_SCANSDONE] as number) === 1) break;
    }
  }
  return status;
}

/** One step of treatment and follow-up (MODEL.md §3 steps 1–6). Returns ENDED at death or cure. */
function phase1Step(step: number): number {
  const dt = K[K_DT]!;
  const t = step * K[K_DTFULL]!;
  const N = S[S_N]!;
  const NM0 = S[S_NM]!;
  const phi = S[S_PHI]!;
  let c = S[S_C]!;
  let E = S[S_E]!;

  // 1. dosing (all doses due before the end of this step)
  let doseIdx = S[S_DOSEIDX]!;
  const cycles = K[K_CYCLES]!;
  if (doseIdx < cycles) {
    const tau = K[K_TAU]!;
    const due = t + dt * (1 - 1e-9);
    while (doseIdx < cycles && doseIdx * tau < due) {
      c += K[K_C0]!;
      doseIdx++;
    }
    S[S_DOSEIDX] = doseIdx;
  }

  // 2. drug exposure U = ∫u dt over the step, exact for any h: ln[(1 + c^h)/(1 + c1^h)] / (h·k_e)
  let U = 0;
  if (S[S_INFEND]! > t) {
    infusionStep(step);
    U = X[X_OUT]!;
    c = S[S_C]!;
  } else if (c > 0) {
    const c1 = c * K[K_EXPKE]!;
    const hill = K[K_HILL]!;
    const ke = K[K_KE]!;
    if (hill === 1) {
      // ln[(1 + c)/(1 + c1)] = log1p(x), x = (c − c1)/(1 + c1), written out (see log1p).
      const x = (c - c1) / (1 + c1);
      const w = 1 + x;
      U = (w === 1 ? x : (Math.log(w) * x) / (w - 1)) / ke;
    } else {
      X[X_A] = hill;
      X[X_B] = c;
      X[X_C] = c1;
      X[X_D] = ke;
      exposureHill();
      U = X[X_OUT]!;
    }
    if (S[S_MARROW] === 1) S[S_AUC] = (c - c1) / ke;
    c = c1 < K[K_CEPS]! ? 0 : c1;
    S[S_C] = c;
  }
  const uBar = U / dt;

  // Rates frozen at the start of the step.
  const g = K[K_G]!;
  const invGN = 1 / (g + N);
  const kI = K[K_KI]!;
  const lambda = kI > 0 ? (kI * E * g * invGN) / (1 + K[K_BETAS]! * phi) : 0;

  // 3. effectors
  E = E + dt * (K[K_DE]! * (1 - E) + K[K_PE]! * E * (1 - E * K[K_INVCAP]!) * N * invGN);
  if (U > 0) E *= Math.exp(-K[K_KEFF]! * U);
  if (E < 0) E = 0;
  S[S_E] = E;

  // 4. seeding
  const q = K[K_Q]!;
  if (q > 0) {
    const thetaF = K[K_THETAF]!;
    const io = rng.io;
    io[0] = q * (pop[LP]! + thetaF * pop[FP]! + pop[LM]! + thetaF * pop[FM]!) * dt;
    rng.poissonIo();
    const events = io[1]!;
    if (events > 0) {
      S[S_SEEDEV] = S[S_SEEDEV]! + events;
      if (NM0 >= K[K_NSW]!) {
        // addClusters(true) written out: V8 spends this function's inlining budget on the site
        // updates, so the call would stay a call, and seeding events occur in most steps.
        const cells = events * K[K_N0]!;
        const leaders = cells * phi;
        pop[LM] = pop[LM]! + leaders;
        pop[FM] = pop[FM]! + (cells - leaders);
      } else {
        R[R_PHISEED] = phi;
        addClusters(false);
      }
    }
  }

  // 5. sites
  const kFL0 = K[K_KFL0]!;
  let kFL = kFL0;
  let phiEq = K[K_PHIEQ0]!;
  let expK = K[K_EXPK0]!;
  const alpha = K[K_ALPHA]!;
  if (uBar > 0 && kFL0 > 0 && alpha > 0) {
    kFL = kFL0 * (1 + alpha * uBar);
    const k = kFL + K[K_KLF]!;
    phiEq = kFL / k;
    expK = Math.exp(-k * dt);
  }
  const Emax = K[K_EMAX]!;
  const EmaxL = K[K_EMAXL]!;
  const epsL = K[K_EPSL]!;
  const lambdaDt = lambda * dt;
  R[R_KILLF] = lambdaDt + Emax * U;
  R[R_KILLL] = epsL * lambdaDt + EmaxL * U;
  R[R_DF] = K[K_D0F]! + lambda + uBar * Emax;
  R[R_DL] = K[K_D0L]! + epsL * lambda + uBar * EmaxL;
  R[R_KFL] = kFL;
  R[R_PHIEQ] = phiEq;
  R[R_EXPK] = expK;
  updateSite(FP, LP, K_INVKP);
  updateSite(FM, LM, K_INVKM);

  // 6. events
  const NP = pop[FP]! + pop[LP]!;
  const NM = pop[FM]! + pop[LM]!;
  const N1 = NP + NM;
  S[S_NP] = NP;
  S[S_NM] = NM;
  S[S_N] = N1;
  let phi1 = phi;
  if (N1 > 0) {
    phi1 = (pop[LP]! + pop[LM]!) / N1;
    S[S_PHI] = phi1;
  }
  if (E < S[S_MINE]!) S[S_MINE] = E;

  let status = CONTINUE;
  const Ndeath = K[K_NDEATH]!;
  if (N1 >= Ndeath) {
    X[X_A] = t;
    X[X_B] = dt;
    X[X_C] = N;
    X[X_D] = N1;
    X[X_E] = Ndeath;
    crossing();
    S[S_DEATH] = X[X_OUT]!;
    status = ENDED;
  }
  const nadir = S[S_NADIR]!;
  if (S[S_PROG]! < 0 && N1 >= PROGRESSION_FACTOR * nadir) {
    X[X_A] = t;
    X[X_B] = dt;
    X[X_C] = N;
    X[X_D] = N1;
    X[X_E] = PROGRESSION_FACTOR * nadir;
    crossing();
    S[S_PROG] = X[X_OUT]!;
  }
  if (S[S_LESION]! < 0 && S[S_METDET] === 0 && NM >= K[K_NDET]!) {
    X[X_A] = t;
    X[X_B] = dt;
    X[X_C] = NM0;
    X[X_D] = NM;
    X[X_E] = K[K_NDET]!;
    crossing();
    const lt = X[X_OUT]!;
    S[S_LESION] = lt;
    if (S[S_PROG]! < 0 || lt < S[S_PROG]!) S[S_PROG] = lt;
  }
  if (N1 < nadir) {
    S[S_NADIR] = N1;
    S[S_NADIRDAY] = t + dt;
    S[S_PHINADIR] = phi1;
    if (S[S_PROG]! < 0) {
      if (N1 < CR_CELLS) S[S_CR] = 1;
      if (N1 <= PR_RATIO * S[S_N0]!) S[S_PR] = 1;
    }
  }
  if (status === CONTINUE && N1 === 0) {
    S[S_CURED] = 1;
    status = ENDED;
  }
  return status;
}

function pushSample(traj: PatientTrajectory, day: number): void {
  traj.day.push(day);
  traj.primaryCells.push(S[S_NP]!);
  traj.metastaticCells.push(S[S_NM]!);
  traj.leaderFraction.push(S[S_PHI]!);
  traj.effector.push(S[S_E]!);
  traj.drug.push(S[S_C]!);
  if (K[K_V2] === 1) (traj as PatientTrajectoryV2).neutrophils.push(M[M_CIRC]!);
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
  return runPatient(ensureValidParams(params), options, null);
}

/** v1's view of a v2 parameter set (cycleDays = doseInterval), cached per resolved set. */
const v1Views = new WeakMap<ModelParamsV2, ModelParams>();

/**
 * Simulate one lf-tid@2 patient (docs/model-v2.md). `params` must be a complete, valid v2 set (from
 * `resolveParamsV2`); the caller validates (see `simulateModelPatient`).
 */
export function simulatePatientV2Internal(
  p: ModelParamsV2,
  options: SimulateInternalOptions,
): PatientOutcomeV2 {
  let view = v1Views.get(p);
  if (!view) {
    const { doseInterval, doseDays: _days, ...rest } = p;
    view = { ...(rest as unknown as Omit<ModelParams, 'cycleDays'>), cycleDays: doseInterval } as ModelParams;
    v1Views.set(p, view);
  }
  return runPatient(view, options, p) as PatientOutcomeV2;
}

function runPatient(
  p: ModelParams,
  options: SimulateInternalOptions,
  v2: ModelParamsV2 | null,
): PatientOutcome | PatientOutcomeV2 {
  const cohortSeed = checkIndex('cohortSeed', options?.cohortSeed);
  const patientIndex = checkIndex('patientIndex', options?.patientIndex);

  // Constants that do not depend on the patient's draws.
  const hill = p.hill;
  K[K_NSW] = p.stochasticThreshold;
  K[K_INVKP] = 1 / p.capacityPrimary;
  K[K_INVKM] = 1 / p.capacityMetastatic;
  K[K_NDEATH] = p.lethalCells;
  K[K_NDET] = p.detectableCells;
  K[K_Q] = p.seedingRate;
  K[K_THETAF] = p.followerInvasiveness;
  K[K_N0] = p.clusterSize;
  K[K_DE] = p.effectorTurnover;
  K[K_PE] = p.effectorRecruitment;
  K[K_G] = p.effectorHalfSaturation;
  K[K_INVCAP] = 1 / p.effectorCap;
  K[K_KEFF] = p.drugEffectorKill;
  K[K_C0] = p.dose;
  K[K_CYCLES] = p.dose > 0 ? p.cycles : 0;
  K[K_TAU] = p.cycleDays;
  K[K_HILL] = hill;
  K[K_CEPS] = DRUG_EPS ** (1 / hill); // washout: below this u(c) ≈ c^h < 1e-18
  K[K_ALPHA] = p.drugInducedSwitching;
  K[K_EPSL] = p.leaderImmuneVisibility;
  K[K_BETAS] = p.leaderSuppression;
  K[K_KLF] = p.leaderToFollowerRate;
  K[K_V2] = v2 ? 1 : 0;
  K[K_KTR] = 0;
  S[S_INFEND] = NOT_YET;
  S[S_MARROW] = 0;
  S[S_STOPPED] = 0;

  // --- Virtual patient: sample, run phase 0, redraw if implausible ------------------------------
  const maxRedraws = options.maxRedraws ?? MAX_REDRAWS;
  const maxPreSteps = Math.ceil(PRE_DIAGNOSIS_LIMIT_DAYS / p.preStepDays - 1e-9);
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
    const bF = rF / (1 - p.cellLossFactor);
    const bL = rL / (1 - p.cellLossFactor);
    const kFL0 = emtPlasticity * p.followerToLeaderRate;
    const k0 = kFL0 + p.leaderToFollowerRate;
    K[K_RF] = rF;
    K[K_RL] = rL;
    K[K_BF] = bF;
    K[K_BL] = bL;
    K[K_D0F] = bF - rF;
    K[K_D0L] = bL - rL;
    K[K_KFL0] = kFL0;
    K[K_K0] = k0;
    K[K_PHIEQ0] = k0 > 0 ? kFL0 / k0 : 0;
    K[K_NDX] = diagnosisCells;
    K[K_KE] = eliminationRate;
    K[K_EMAX] = maxDrugKill;
    K[K_EMAXL] = p.leaderDrugSensitivity * maxDrugKill;
    K[K_KI] = immuneKill;

    // Phase 0 from N_start cells, leaders at the switching equilibrium, E at homeostasis.
    rng.reseed(cohortSeed, patientIndex, SUB_PRE_FIRST + redraws);
    setStep(p.preStepDays);
    pop[LP] = p.startCells * K[K_PHIEQ0]!;
    pop[FP] = p.startCells - pop[LP]!;
    pop[FM] = 0;
    pop[LM] = 0;
    S[S_E] = 1;
    let status = CONTINUE;
    for (let step = 0; status === CONTINUE; step++) status = phase0Step(step, maxPreSteps);
    if (status === DIAGNOSED) break;
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
  const dtFull = p.stepDays;
  const horizon = p.horizonDays;
  K[K_DTFULL] = dtFull;
  setStep(dtFull);

  const NP = pop[FP]! + pop[LP]!;
  const NM = pop[FM]! + pop[LM]!;
  const N0 = NP + NM;
  const phi0 = N0 > 0 ? (pop[LP]! + pop[LM]!) / N0 : 0;
  S[S_C] = 0;
  S[S_NP] = NP;
  S[S_NM] = NM;
  S[S_N] = N0;
  S[S_N0] = N0;
  S[S_PHI] = phi0;
  S[S_NADIR] = N0;
  S[S_NADIRDAY] = 0;
  S[S_PHINADIR] = phi0;
  S[S_MINE] = S[S_E]!;
  S[S_SEEDEV] = 0;
  S[S_DEATH] = NOT_YET;
  S[S_PROG] = NOT_YET;
  S[S_LESION] = NOT_YET;
  S[S_CR] = N0 < CR_CELLS ? 1 : 0;
  S[S_PR] = S[S_CR]!;
  S[S_METDET] = NM >= p.detectableCells ? 1 : 0;
  S[S_DOSEIDX] = 0;
  S[S_CURED] = 0;
  let sampledV2: Record<(typeof sampledParamNamesV2Extra)[number], number> | undefined;
  if (v2) sampledV2 = setUpV2(v2, cohortSeed, patientIndex, dtFull);

  const wantTraj = options.trajectory === true;
  const every = options.trajectoryEveryDays ?? 7;
  let traj: PatientTrajectory | undefined;
  let nextSample = every;
  if (wantTraj) {
    traj = { day: [], primaryCells: [], metastaticCells: [], leaderFraction: [], effector: [], drug: [] };
    if (v2) (traj as PatientTrajectoryV2).neutrophils = [];
    pushSample(traj, 0);
  }

  if (N0 >= p.lethalCells) {
    S[S_DEATH] = 0;
  } else {
    const nSteps = Math.ceil(horizon / dtFull - 1e-9);
    for (let step = 0; step < nSteps; step++) {
      if (step === nSteps - 1 && step * dtFull + dtFull > horizon) {
        setStep(horizon - step * dtFull); // shortened last step: follow-up ends exactly at t_max
      }
      // v2's dosing and end-of-step work are separate calls, so that the v1 step function stays small
      // enough for V8 to inline its site updates and samplers (v2 sets K_CYCLES = 0: no v1 dosing).
      if (v2 && S[S_DOSEIDX]! < K[K_NDOSES]! && S[S_STOPPED] === 0) dosingV2(step);
      let status = phase1Step(step);
      if (v2) status = afterStepV2(step, status);
      if (traj) {
        const tEnd = step * dtFull + K[K_DT]!;
        if (tEnd >= nextSample - 1e-9) {
          pushSample(traj, tEnd);
          while (nextSample <= tEnd + 1e-9) nextSample += every;
        }
      }
      if (status !== CONTINUE) break;
    }
  }

  // --- Outcome ---------------------------------------------------------------------------------
  const deathTime = S[S_DEATH]!;
  const progTime = S[S_PROG]!;
  const lesionTime = S[S_LESION]!;
  const osEvent = deathTime >= 0;
  const osDays = osEvent ? deathTime : horizon;
  const pfsEvent = progTime >= 0 || osEvent;
  const pfsDays = progTime >= 0 ? (osEvent ? Math.min(progTime, deathTime) : progTime) : osDays;
  const mfsEvent = lesionTime >= 0 || osEvent;
  const mfsDays = lesionTime >= 0 ? (osEvent ? Math.min(lesionTime, deathTime) : lesionTime) : osDays;

  let bestResponse: BestResponse;
  if (S[S_CR] === 1) bestResponse = 'CR';
  else if (S[S_PR] === 1) bestResponse = 'PR';
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
    nadirCells: S[S_NADIR]!,
    nadirDay: S[S_NADIRDAY]!,
    leaderFractionAtDiagnosis: phi0,
    leaderFractionAtNadir: S[S_PHINADIR]!,
    leaderFractionAtEnd: S[S_PHI]!,
    metastaticCellsAtDiagnosis: NM,
    seedingEvents: S[S_SEEDEV]!,
    cured: S[S_CURED] === 1,
    minEffector: S[S_MINE]!,
    redraws,
    sampled: { growthRate, diagnosisCells, emtPlasticity, eliminationRate, maxDrugKill, immuneKill },
  };
  if (traj) out.trajectory = traj;
  if (!v2 || !sampledV2) return out;
  return outcomeV2(out, v2, sampledV2);
}

/**
 * Per-patient v2 set-up at diagnosis: protocol constants, the marrow draws and the frailty (own
 * substream, so v1's draws are untouched), marrow at steady state, baseline scan.
 */
function setUpV2(
  v2: ModelParamsV2,
  cohortSeed: number,
  patientIndex: number,
  dtFull: number,
): Record<(typeof sampledParamNamesV2Extra)[number], number> {
  const explicit = v2.doseDays.length > 0;
  for (let i = 0; i < v2.doseDays.length; i++) doseDaysBuf[i] = v2.doseDays[i]!;
  K[K_EXPLICIT] = explicit ? 1 : 0;
  K[K_NDOSES] = v2.dose > 0 ? (explicit ? v2.doseDays.length : v2.cycles) : 0;
  K[K_CYCLES] = 0; // v2 doses through dosingV2
  const nd = v2.doseDays.length;
  K[K_PLANINT] = explicit && nd > 1 ? (v2.doseDays[nd - 1]! - v2.doseDays[0]!) / (nd - 1) : v2.doseInterval;
  K[K_TOX] = v2.toxicity;
  K[K_INFDAYS] = v2.infusionHours / 24;
  K[K_STOPPROG] = v2.stopAtProgression;
  K[K_GAMMA] = v2.neutrophilFeedback;
  K[K_DELAYANC] = v2.doseDelayNeutrophils;
  K[K_REDSTEP] = v2.doseReductionStep;
  K[K_MAXRED] = v2.maxDoseReductions;
  K[K_HFN] = v2.febrileDeathHazard;
  K[K_SCAN] = v2.scanIntervalDays;
  K[K_HORIZON] = v2.horizonDays;

  const z = rngZ.reseed(cohortSeed, patientIndex, SUB_MARROW);
  const baselineNeutrophils = v2.baselineNeutrophils * Math.exp(v2.baselineNeutrophilsSigma * z.normal());
  const meanTransitTime = v2.meanTransitTime * Math.exp(v2.meanTransitTimeSigma * z.normal());
  const myelotoxicity = v2.myelotoxicity * Math.exp(v2.myelotoxicitySigma * z.normal());
  K[K_FRAILTY] = -Math.log(1 - z.uniform());
  K[K_CIRC0] = baselineNeutrophils;
  K[K_KTR] = 4 / meanTransitTime;
  K[K_SLOPE] = myelotoxicity;
  setStep(dtFull);
  M.fill(baselineNeutrophils);

  S[S_SHIFT] = 0;
  S[S_LEVEL] = 0;
  S[S_PENDRED] = 0;
  S[S_DELAYED] = 0;
  S[S_DELAYS] = 0;
  S[S_DELIVERED] = 0;
  S[S_TFIRST] = NOT_YET;
  S[S_TLAST] = NOT_YET;
  S[S_INFRATE] = 0;
  S[S_AUC] = 0;
  S[S_MARROW] = v2.toxicity === 1 ? 1 : 0;
  S[S_CUMHAZ] = 0;
  S[S_ANCMIN] = baselineNeutrophils;
  S[S_ANCMINDAY] = 0;
  S[S_TOXDEATH] = 0;
  S[S_NSCANS] = 0;
  S[S_SCANPD] = NOT_YET;
  S[S_SCANSDONE] = 0;
  S[S_LASTSCAN] = 0;
  // Baseline scan: target lesions are those measurable now.
  const dP = lesionDiameterMm(S[S_NP]!);
  const dM = lesionDiameterMm(S[S_NM]!);
  S[S_PTARGET] = dP >= MEASURABLE_MM ? 1 : 0;
  S[S_MTARGET] = dM >= MEASURABLE_MM ? 1 : 0;
  const sld0 = (S[S_PTARGET] === 1 ? dP : 0) + (S[S_MTARGET] === 1 ? dM : 0);
  S[S_SLD0] = sld0;
  S[S_NADIRSLD] = sld0;
  return { baselineNeutrophils, meanTransitTime, myelotoxicity };
}

/**
 * Relative dose intensity (Hryniuk) over the administrations given: (delivered / actual span) ÷
 * (planned dose of those administrations / their planned span), each span closed by g, the planned gap
 * after the last one given (Λ, the mean planned gap, after the last planned dose). Written as two
 * ratios so that it stays finite for any dose.
 */
function doseIntensity(v2: ModelParamsV2, given: number, delivered: number): number {
  const days = v2.doseDays;
  let plannedSpan: number;
  let gap: number;
  if (days.length === 0) {
    gap = v2.doseInterval;
    plannedSpan = given * gap;
  } else {
    gap = given < days.length ? days[given]! - days[given - 1]! : K[K_PLANINT]!;
    plannedSpan = days[given - 1]! - days[0]! + gap;
  }
  const actualSpan = S[S_TLAST]! - S[S_TFIRST]! + gap;
  return (delivered / (given * v2.dose)) * (plannedSpan / actualSpan);
}

/** The v2 outcome: v1's fields plus the schedule, toxicity and RECIST fields (docs/model-v2.md §6). */
function outcomeV2(
  out: PatientOutcome,
  v2: ModelParamsV2,
  sampledV2: Record<(typeof sampledParamNamesV2Extra)[number], number>,
): PatientOutcomeV2 {
  const interval = v2.scanIntervalDays;
  const toxicDeath = S[S_TOXDEATH] === 1;
  let recistBestResponse: RecistResponse;
  let scanPfsDays: number;
  let scanPfsEvent: boolean;
  let scans = 0;
  if (interval > 0) {
    let n = S[S_NSCANS]!;
    // A cured patient leaves the simulation; the scans still due to the horizon all read CR.
    if (out.cured && S[S_SCANSDONE] === 0) {
      for (let day = (n + 1) * interval; day <= v2.horizonDays; day = (++n + 1) * interval) {
        ensureScanCapacity(n + 1);
        scanDay[n] = day;
        scanCode[n] = RECIST_CR;
        S[S_LASTSCAN] = day;
      }
    }
    scans = n;
    recistBestResponse = bestOverallResponse(scanDay, scanCode, n, out.osEvent, toxicDeath);
    const pd = S[S_SCANPD]!;
    if (pd >= 0 && (!out.osEvent || pd <= out.osDays)) {
      scanPfsDays = pd;
      scanPfsEvent = true;
    } else if (out.osEvent) {
      scanPfsDays = out.osDays;
      scanPfsEvent = true;
    } else {
      scanPfsDays = S[S_LASTSCAN]!;
      scanPfsEvent = false;
    }
  } else {
    recistBestResponse = out.bestResponse;
    scanPfsDays = out.pfsDays;
    scanPfsEvent = out.pfsEvent;
  }
  const given = S[S_DOSEIDX]!;
  const delivered = S[S_DELIVERED]!;
  const relativeDoseIntensity = given > 0 && v2.dose > 0 ? doseIntensity(v2, given, delivered) : 0;
  const toxicity = v2.toxicity === 1;
  // One object literal (no spreads): the outcome is built once per patient and spreads cost ~5 %.
  const v1s = out.sampled;
  const result: PatientOutcomeV2 = {
    patientIndex: out.patientIndex,
    cohortSeed: out.cohortSeed,
    osDays: out.osDays,
    osEvent: out.osEvent,
    pfsDays: out.pfsDays,
    pfsEvent: out.pfsEvent,
    mfsDays: out.mfsDays,
    mfsEvent: out.mfsEvent,
    bestResponse: out.bestResponse,
    nadirCells: out.nadirCells,
    nadirDay: out.nadirDay,
    leaderFractionAtDiagnosis: out.leaderFractionAtDiagnosis,
    leaderFractionAtNadir: out.leaderFractionAtNadir,
    leaderFractionAtEnd: out.leaderFractionAtEnd,
    metastaticCellsAtDiagnosis: out.metastaticCellsAtDiagnosis,
    seedingEvents: out.seedingEvents,
    cured: out.cured,
    minEffector: out.minEffector,
    redraws: out.redraws,
    sampled: {
      growthRate: v1s.growthRate,
      diagnosisCells: v1s.diagnosisCells,
      emtPlasticity: v1s.emtPlasticity,
      eliminationRate: v1s.eliminationRate,
      maxDrugKill: v1s.maxDrugKill,
      immuneKill: v1s.immuneKill,
      baselineNeutrophils: sampledV2.baselineNeutrophils,
      meanTransitTime: sampledV2.meanTransitTime,
      myelotoxicity: sampledV2.myelotoxicity,
    },
    relativeDoseIntensity,
    deliveredDose: delivered,
    cyclesReceived: given,
    doseDelays: S[S_DELAYS]!,
    doseReductions: S[S_LEVEL]!,
    worstNeutropeniaGrade: toxicity ? neutropeniaGrade(S[S_ANCMIN]!) : 0,
    neutrophilNadir: S[S_ANCMIN]!,
    neutrophilNadirDay: S[S_ANCMINDAY]!,
    toxicDeath,
    recistBestResponse,
    objectiveResponse: recistBestResponse === 'CR' || recistBestResponse === 'PR',
    scanPfsDays,
    scanPfsEvent,
    scans,
  };
  const trajectory = out.trajectory;
  if (trajectory) result.trajectory = trajectory as PatientTrajectoryV2;
  return result;
}
