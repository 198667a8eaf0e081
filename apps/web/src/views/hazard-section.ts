import type { HazardRatiosResponse, PowerResponse, SurvivalEndpointName } from '@frontline/contracts';
import { formatPValue } from '@frontline/contracts/format';
import { api } from '../api.js';
import { exportButtons, loadingIndicator } from '../charts/figure.js';
import { forestFigure } from '../charts/forest-plot.js';
import { powerFigure } from '../charts/power-curve.js';
import { h, replaceChildren } from '../dom.js';
import { formatCount } from '../format.js';
import { errorBox, select } from './widgets.js';

const endpoints: { value: SurvivalEndpointName; label: string }[] = [
  { value: 'os', label: 'OS' },
  { value: 'pfs', label: 'PFS' },
  { value: 'mfs', label: 'MFS' },
];

/**
 * Sample sizes of the power curve: around Schoenfeld's n for 80% power at the arm's hazard ratio and event
 * share, so the curve shows its rise rather than a flat 100%; capped so 1,000 trials stay cheap.
 */
function powerSizes(hazardRatio: number | null, eventShare: number): string {
  if (hazardRatio === null || Math.abs(Math.log(hazardRatio)) < 0.05 || !(eventShare > 0))
    return '25,50,100,150,200,300,400';
  const events80 = (4 * (1.959964 + 0.841621) ** 2) / Math.log(hazardRatio) ** 2;
  const n80 = Math.min(1_500, events80 / (2 * eventShare));
  return [...new Set([0.1, 0.25, 0.5, 0.75, 1, 1.5, 2].map((f) => Math.max(4, Math.round(n80 * f))))].join(
    ',',
  );
}

function stratificationNote(answer: HazardRatiosResponse): string {
  const pooled = answer.groups[0];
  const parts = [
    answer.stratifiedBy.length > 0
      ? `Cox model stratified by ${answer.stratifiedBy.join(', ')} (${answer.strata} strata): each arm pools ` +
        `${pooled?.points ?? 0} points of the same ${formatCount(pooled?.distinctPatients ?? 0)} virtual patients.`
      : 'Cox model (Efron ties).',
  ];
  const lr = answer.likelihoodRatio;
  if (lr)
    parts.push(
      `Likelihood-ratio test: χ² = ${lr.chiSq?.toFixed(2) ?? 'NA'} on ${lr.df} df, p = ${formatPValue(lr.pValue)}.`,
    );
  if (answer.partial) parts.push('Partial: outcomes are still arriving.');
  parts.push(...answer.warnings);
  return parts.join(' ');
}

/**
 * Hazard ratios of a sweep's arms (a forest plot) and the virtual-trial power of one arm against the
 * reference (a power curve), for an axis chosen by the user; refreshed with the survival curves.
 */
export function hazardSection(
  sweepId: string,
  axes: readonly string[],
  referenceArm: Record<string, number> | null,
) {
  let endpoint: SurvivalEndpointName = 'os';
  let groupBy = axes.find((axis) => referenceArm?.[axis] !== undefined) ?? axes[0] ?? '';
  let arm = '';
  let forest: SVGSVGElement | null = null;
  let curve: SVGSVGElement | null = null;
  let shown: HazardRatiosResponse | undefined;
  const forestChart = h(
    'div',
    { class: 'chart', 'data-testid': 'forest-plot' },
    loadingIndicator('Loading hazard ratios…', 'forest-loading'),
  );
  const forestNote = h('p', { class: 'muted', 'data-testid': 'forest-note' });
  const powerChart = h('div', { class: 'chart', 'data-testid': 'power-curve' });
  const powerNote = h('p', { class: 'muted', 'data-testid': 'power-note' });
  const armSelect = h('span', {});
  const element = h(
    'section',
    { class: 'card', 'data-testid': 'hazard-section' },
    h('h2', {}, 'Hazard ratios and power'),
    h(
      'div',
      { class: 'controls' },
      select(
        'Endpoint',
        endpoints,
        endpoint,
        (v) => {
          endpoint = v as SurvivalEndpointName;
          void refresh();
        },
        'hr-endpoint',
      ),
      select(
        'Arms by',
        axes.map((a) => ({ value: a, label: a })),
        groupBy,
        (v) => {
          groupBy = v;
          arm = '';
          void refresh();
        },
        'hr-group-by',
      ),
      exportButtons(
        () => forest,
        () => `forest-${sweepId.slice(0, 8)}-${endpoint}-by-${groupBy}`,
        'forest',
      ),
    ),
    forestChart,
    forestNote,
    h(
      'div',
      { class: 'controls' },
      armSelect,
      exportButtons(
        () => curve,
        () => `power-${sweepId.slice(0, 8)}-${endpoint}`,
        'power',
      ),
    ),
    powerChart,
    powerNote,
  );

  const width = (chart: HTMLElement) => Math.max(360, chart.clientWidth || 900);

  async function drawPower() {
    if (!shown) return;
    const reference = shown.groups.find((g) => g.reference);
    const others = shown.groups.filter((g) => !g.reference);
    if (!reference || others.length === 0) return replaceChildren(powerChart);
    if (!others.some((g) => String(g.key[groupBy]) === arm)) arm = String(others.at(-1)!.key[groupBy]);
    replaceChildren(
      armSelect,
      select(
        `Power of ${groupBy} =`,
        others.map((g) => ({ value: String(g.key[groupBy]), label: String(g.key[groupBy]) })),
        arm,
        (v) => {
          arm = v;
          void drawPower();
        },
        'power-arm',
      ),
    );
    const chosen = others.find((g) => String(g.key[groupBy]) === arm)!;
    const share = (chosen.events + reference.events) / Math.max(1, chosen.patients + reference.patients);
    const query = new URLSearchParams({
      endpoint,
      groupBy,
      arm,
      patientsPerArm: powerSizes(chosen.hazardRatio, share),
      replicates: '1000',
    });
    let answer: PowerResponse;
    try {
      answer = await api.power(sweepId, query);
    } catch (error) {
      return replaceChildren(powerChart, errorBox(`Power unavailable: ${(error as Error).message}`));
    }
    curve = powerFigure(answer, width(powerChart));
    replaceChildren(powerChart, curve);
    powerNote.textContent =
      `${answer.rows[0]?.replicates ?? 0} virtual trials per size, ${groupBy} = ${arm} vs ${reference.key[groupBy]}: ` +
      `uniform accrual over ${answer.accrualDays} days, analysis ${answer.followUpDays} days later, two-sided log-rank ` +
      `p < ${answer.alpha}; band: 95% Clopper–Pearson; dashed: Schoenfeld (cohort HR ${answer.hazardRatio?.toFixed(2) ?? 'NA'}).`;
  }

  let inFlight = false;
  async function refresh() {
    // A running sweep refreshes every few seconds: never stack a second request behind a slow one.
    if (!groupBy || inFlight) return;
    inFlight = true;
    try {
      shown = await api.hazardRatios(sweepId, new URLSearchParams({ endpoint, groupBy }));
      forest = forestFigure(shown, width(forestChart));
      replaceChildren(forestChart, forest);
      forestNote.textContent = stratificationNote(shown);
      // Thousands of virtual trials: drawn once the cohorts are complete, not on every refresh.
      if (shown.partial) {
        replaceChildren(powerChart);
        powerNote.textContent = 'Power is computed once the sweep is complete.';
      } else await drawPower();
    } catch (error) {
      shown = undefined;
      replaceChildren(forestChart, errorBox(`Hazard ratios unavailable: ${(error as Error).message}`));
      replaceChildren(powerChart);
    } finally {
      inFlight = false;
    }
  }
  return { element, refresh };
}
