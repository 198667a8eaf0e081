/** The R reference cases of fixtures/cox-reference.jsonl (made by fixtures/cox-reference.R). */
import { readFileSync } from 'node:fs';
import { type CoxPhResult, coxPh } from '../src/index.js';

export interface ChiSquare {
  chiSq: number;
  df: number;
  pValue: number;
}
export interface CoxCase {
  kind: 'cox';
  name: string;
  ties: 'efron' | 'breslow';
  time: number[];
  event: number[];
  covariates: Record<string, number[]>;
  strata: string[] | null;
  result: {
    names: string[];
    coef: number[];
    se: number[];
    hazardRatio: number[];
    lower: number[];
    upper: number[];
    z: number[];
    pValue: number[];
    loglik: number[];
    likelihoodRatio: ChiSquare;
    wald: ChiSquare;
    score: ChiSquare;
    concordance: number;
    n: number;
    events: number;
    iterations: number;
    warnings: string[];
  };
}
export interface LogRankCase {
  kind: 'logrank';
  name: string;
  groups: { label: string; time: number[]; event: number[]; strata: string[] }[];
  result: {
    chiSq: number;
    df: number;
    pValue: number;
    observed: number[];
    expected: number[];
    variance: number[][];
  };
}

const cases = readFileSync(new URL('./fixtures/cox-reference.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as CoxCase | LogRankCase);
export const coxCases = cases.filter((c): c is CoxCase => c.kind === 'cox');
export const logRankCases = cases.filter((c): c is LogRankCase => c.kind === 'logrank');

export function fitOf(c: CoxCase): CoxPhResult {
  return coxPh(
    {
      time: c.time,
      event: c.event.map((e) => e === 1),
      covariates: c.covariates,
      ...(c.strata === null ? {} : { strata: c.strata }),
    },
    { ties: c.ties },
  );
}
