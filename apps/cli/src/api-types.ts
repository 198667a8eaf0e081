/** The parts of API responses the CLI reads (the API sends more; `--json` prints it all). */

export type SweepState = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface SweepView {
  id: string;
  name: string;
  status: SweepState;
  priority: string;
  points: number;
  patients: number;
  progress: { done: number; total: number; failed: number; reused: number };
  ratePerSecond: number | null;
  etaSeconds: number | null;
  failureReason: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface SweepCreatedView {
  id: string;
  status: SweepState;
  points: number;
  patients: number;
  simulations: number;
  reused: number;
  warnings: string[];
}

export interface LogRankView {
  chiSq: number;
  df: number;
  pValue: number;
}

export interface SurvivalGroupView {
  key: Record<string, number>;
  pointIndex?: number;
  patients: number;
  events: number;
  curve: {
    time: number[];
    nRisk: number[];
    nEvent: number[];
    nCensor: number[];
    survival: number[];
    stdErr: (number | null)[];
    lower: (number | null)[];
    upper: (number | null)[];
  };
  median: { value: number | null; lower: number | null; upper: number | null };
  survivalAt: Record<string, { survival: number | null } | null>;
  rmst: { tau: number; value: number; stdErr: number } | null;
  logRank: LogRankView | null;
}

export interface SurvivalView {
  sweepId: string;
  status: SweepState;
  partial: boolean;
  endpoint: 'os' | 'pfs' | 'mfs';
  groupBy: string[];
  comparison:
    | { method: 'referenceArm'; referenceArm: Record<string, number> }
    | { method: 'allGroups'; reason: string; logRank: LogRankView | null };
  groups: SurvivalGroupView[];
}
