import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Harness, startHarness, sweepOutcomes } from '@frontline/api/test-harness';
import {
  formatPValue,
  type PointsResponse,
  type SurvivalGroup,
  type SurvivalResponse,
} from '@frontline/contracts';
import type { Browser, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard, launchChromium, screenshots } from './support/browser.js';

const plot = '[data-testid="survival-plot"]';
const daysPerMonth = 365.25 / 12;

/**
 * Number at risk at `day` from the API's curve rows (one per event time): all patients at 0, the risk
 * set of the first row at or after `day`, those followed past the last row until the horizon, then 0.
 */
function apiAtRisk(group: SurvivalGroup, day: number): number {
  const { time, nRisk, nEvent, nCensor } = group.curve;
  if (group.patients === 0) return 0;
  if (day <= 0) return group.patients;
  for (let i = 0; i < time.length; i++) if (time[i]! >= day) return nRisk[i]!;
  const last = time.length - 1;
  const horizon = Math.max(group.rmst?.tau ?? 0, time[last] ?? 0);
  if (day > horizon) return 0;
  return last < 0 ? group.patients : nRisk[last]! - nEvent[last]! - nCensor[last]!;
}

/** `+` marks the API's rows place: censorings at event rows, and those censored at the horizon. */
function apiCensorTimes(group: SurvivalGroup): number {
  const { time, nRisk, nEvent, nCensor } = group.curve;
  const atRows = nCensor.filter((c) => c > 0).length;
  const last = time.length - 1;
  const after = last < 0 ? group.patients : nRisk[last]! - nEvent[last]! - nCensor[last]!;
  const horizon = group.rmst?.tau ?? 0;
  return atRows + (after > 0 && horizon > (time[last] ?? 0) ? 1 : 0);
}

async function saved(download: Download): Promise<Buffer> {
  const path = await download.path();
  return readFileSync(path);
}

/** PNG signature and the IHDR chunk's width and height. */
function pngHeader(bytes: Buffer) {
  return {
    signature: [...bytes.subarray(0, 8)],
    chunk: bytes.subarray(12, 16).toString('ascii'),
    width: bytes.readUInt32BE(16),
    height: bytes.readUInt32BE(20),
  };
}

describe('charts in headless Chromium', () => {
  let harness: Harness;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await buildDashboard();
    harness = await startHarness();
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1200, height: 900 },
      acceptDownloads: true,
    });
    // The session cookie the sign-in dialog would get (POST /v1/session sets it HttpOnly).
    const session = await context.request.post(`${harness.apiUrl}/v1/session`, {
      data: { key: harness.apiKey },
    });
    expect(session.status()).toBeLessThan(300);
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await harness?.stop();
  });

  it('shows loading, then "pending" for points without outcomes on a running sweep', async () => {
    const running = await harness.submit({
      name: 'pending points',
      design: { kind: 'grid', axes: { dose: [0, 0.2598207698484945, 2] } },
      cohort: { patients: 10, seed: 5 },
    });
    // Hold the survival request: the panel must say it is loading, not stay blank.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route('**/survival?*', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${harness.apiUrl}/#/sweeps/${running.id}`);
    await page.locator('[data-testid="survival-loading"]').waitFor();
    expect(await page.locator('[data-testid="survival-loading"]').textContent()).toBe(
      'Loading survival curves…',
    );
    release();
    await page.locator('[data-testid="survival-groups"] tbody tr').nth(2).waitFor();
    await page.unroute('**/survival?*');

    // No worker: every point is pending in the group table, the heatmap strip and the points table.
    const medians = await page
      .locator('[data-testid="survival-groups"] tbody tr td:nth-child(4)')
      .allTextContents();
    expect(medians).toEqual(['pending', 'pending', 'pending']);
    // The group labels at the axis's precision.
    expect(
      await page.locator('[data-testid="survival-groups"] tbody tr td:nth-child(1)').allTextContents(),
    ).toEqual(['dose=0', 'dose=0.26', 'dose=2']);
    await page.locator('[data-testid="heatmap"] g[aria-label="text"] text').nth(2).waitFor();
    const heatmapLabels = await page
      .locator('[data-testid="heatmap"] g[aria-label="text"] text')
      .allTextContents();
    expect(heatmapLabels).toEqual(['pending', 'pending', 'pending']);
    expect(await page.locator('[data-testid="heatmap"] .missing-legend').textContent()).toContain('pending');
    // One-axis strip: every x label lies inside the figure (none clipped).
    const clipped = await page.evaluate(() => {
      const figure = document.querySelector('[data-testid="heatmap"] svg.figure')!.getBoundingClientRect();
      return [...document.querySelectorAll('[data-testid="heatmap"] g[aria-label="x-axis tick label"] text')]
        .map((t) => t.getBoundingClientRect())
        .filter((r) => r.left < figure.left || r.right > figure.right || r.bottom > figure.bottom).length;
    });
    expect(clipped).toBe(0);
    expect(
      await page.locator('[data-testid="heatmap"] g[aria-label="x-axis tick label"] text').allTextContents(),
    ).toEqual(['0', '0.26', '2']);
    await page.locator('[data-testid="points-table"] tbody tr').nth(2).waitFor();
    const body = (await page.locator('main').textContent()) ?? '';
    expect(body).toContain('pending');
    expect(body).not.toContain('NR (NR–NR)');
    expect(body).not.toContain('0.0e+0');
    expect((await harness.request('POST', `/v1/sweeps/${running.id}/cancel`)).status).toBe(200);
  });

  it('draws Kaplan–Meier with a risk table equal to the API, censor marks, medians, and exports PNG and SVG', async () => {
    await harness.startWorker(2);
    const sweep = await harness.submit({
      name: 'km for a paper',
      design: { kind: 'grid', axes: { dose: [0, 2, 10], immuneKill: [0.035, 0.07, 0.1] } },
      cohort: { patients: 40, seed: 11 },
      params: { horizonDays: 730 },
    });
    await page.goto(`${harness.apiUrl}/#/sweeps/${sweep.id}`);
    await page.locator('main[data-sweep-ended="completed"]').waitFor({ timeout: 170_000 });
    const survival = (
      await harness.request('GET', `/v1/sweeps/${sweep.id}/survival?endpoint=os&groupBy=dose`)
    ).body as SurvivalResponse;
    expect(survival.groups).toHaveLength(3);

    // Ticks of the time axis, and the risk table's numbers under them: the API's at-risk counts.
    const tickDays = (
      await page.locator(`${plot} g[aria-label="x-axis tick label"] text`).allTextContents()
    ).map(Number);
    expect(tickDays).toEqual([0, 90, 180, 270, 360, 450, 540, 630, 720]);
    const riskNumbers = (await page.locator(`${plot} g.risk-numbers text`).allTextContents()).map(Number);
    const expected = survival.groups.flatMap((g) => tickDays.map((day) => apiAtRisk(g, day)));
    expect(riskNumbers).toEqual(expected);
    // Overall survival is censored only at the horizon, so the API's counts are exactly the patients
    // whose death or censoring time is ≥ the tick, in the stored outcomes.
    const points = (await harness.request('GET', `/v1/sweeps/${sweep.id}/points`)).body as PointsResponse;
    const doseOf = new Map(points.points.map((p) => [p.pointIndex, p.axisValues.dose]));
    const outcomes = await sweepOutcomes(harness, sweep.id);
    const fromOutcomes = survival.groups.flatMap((g) =>
      tickDays.map(
        (day) =>
          outcomes.filter((o) => doseOf.get(o.point_index) === g.key.dose && (o.os_days as number) >= day)
            .length,
      ),
    );
    expect(riskNumbers).toEqual(fromOutcomes);
    expect(riskNumbers[0]).toBe(120); // 3 immune kill rates × 40 patients at time 0
    // The all-groups log-rank p-value as the shared formatter prints it (`< 1e-300` when it underflows).
    const logRank = survival.comparison.method === 'allGroups' ? survival.comparison.logRank : null;
    expect(logRank?.pValue).toBeTypeOf('number');
    expect(await page.locator('[data-testid="survival-note"]').textContent()).toContain(
      `p = ${formatPValue(logRank?.pValue)}.`,
    );

    // Censor marks: one `+` per censoring time the API's rows give, in every group.
    const censorTimes = survival.groups.reduce((n, g) => n + apiCensorTimes(g), 0);
    expect(censorTimes).toBeGreaterThan(0);
    expect(await page.locator(`${plot} g.censor-marks path`).count()).toBe(censorTimes);
    const reached = survival.groups.filter((g) => g.median.value !== null).length;
    expect(await page.locator(`${plot} g.median-lines line`).count()).toBe(reached + (reached > 0 ? 1 : 0));
    expect(await page.locator(`${plot} g[aria-label="line"] path`).count()).toBe(3);
    await page
      .locator('[data-testid="survival-plot"]')
      .screenshot({ path: join(screenshots, 'km-risk-table.png') });

    // Months: ticks every 3 months, the numbers at risk still the API's at those times.
    await page.selectOption('[data-testid="time-unit"]', 'months');
    await expect
      .poll(() => page.locator(`${plot} g[aria-label="x-axis label"]`).textContent())
      .toContain('months');
    const tickMonths = (
      await page.locator(`${plot} g[aria-label="x-axis tick label"] text`).allTextContents()
    ).map(Number);
    expect(tickMonths).toEqual([0, 3, 6, 9, 12, 15, 18, 21]);
    expect((await page.locator(`${plot} g.risk-numbers text`).allTextContents()).map(Number)).toEqual(
      survival.groups.flatMap((g) => tickMonths.map((m) => apiAtRisk(g, m * daysPerMonth))),
    );

    // SVG export: well-formed XML whose paths are the chart's (3 curves, the censor marks).
    const [svgDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid="survival-export-svg"]'),
    ]);
    expect(svgDownload.suggestedFilename()).toMatch(/^km-.*\.svg$/);
    const svgText = (await saved(svgDownload)).toString('utf8');
    const parsed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      return {
        errors: doc.getElementsByTagName('parsererror').length,
        root: doc.documentElement.localName,
        width: Number(doc.documentElement.getAttribute('width')),
        height: Number(doc.documentElement.getAttribute('height')),
        curves: doc.querySelectorAll('g[aria-label="line"] path').length,
        censorMarks: doc.querySelectorAll('g.censor-marks path').length,
        riskNumbers: [...doc.querySelectorAll('g.risk-numbers text')].map((t) => t.textContent),
      };
    }, svgText);
    expect(parsed).toMatchObject({ errors: 0, root: 'svg', curves: 3, censorMarks: censorTimes });
    expect(parsed.riskNumbers).toHaveLength(3 * tickMonths.length);

    // PNG export: a real PNG at twice the SVG's size.
    const [pngDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid="survival-export-png"]'),
    ]);
    expect(pngHeader(await saved(pngDownload))).toEqual({
      signature: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
      chunk: 'IHDR',
      width: 2 * parsed.width,
      height: 2 * parsed.height,
    });

    // Nine groups (each point) are more than the palette: small multiples, one risk row each.
    await page.selectOption('[data-testid="group-by"]', '');
    await expect.poll(() => page.locator(`${plot} g.risk-numbers`).count()).toBe(9);
    expect(await page.locator(`${plot} g[aria-label="line"] path`).count()).toBeGreaterThanOrEqual(9);
    await page.locator(plot).screenshot({ path: join(screenshots, 'km-small-multiples.png') });

    // Heatmap: median OS over dose × immune kill, NR cells hatched and named, numbers in whole days.
    const heatmap = '[data-testid="heatmap"]';
    const medianNull = points.points.filter((p) => p.os.median.value === null).length;
    expect(await page.locator(`${heatmap} g.missing-cells rect`).count()).toBe(medianNull);
    expect(await page.locator(`${heatmap} g[aria-label="cell"] rect`).count()).toBe(9);
    const labels = await page.locator(`${heatmap} g[aria-label="text"] text`).allTextContents();
    for (const label of labels) expect(label).toMatch(/^(\d[\d,]* d|NR)$/);
    if (medianNull > 0)
      expect(await page.locator(`${heatmap} .missing-legend`).textContent()).toContain('NR');
    const [heatmapSvg] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid="heatmap-export-svg"]'),
    ]);
    expect((await saved(heatmapSvg)).toString('utf8')).toContain('<svg');
    await page.locator(heatmap).screenshot({ path: join(screenshots, 'heatmap.png') });

    const body = (await page.locator('main').textContent()) ?? '';
    expect(body).not.toContain('0.0e+0');
    expect(body).not.toContain('NR (NR–NR)');
  });

  it('draws log-scale axes of a sampled design on a log scale', async () => {
    const sampled = await harness.submit({
      name: 'lhs log axis',
      design: {
        kind: 'lhs',
        samples: 6,
        seed: 3,
        axes: { dose: { min: 0, max: 10 }, immuneKill: { min: 0.001, max: 0.1, scale: 'log' } },
      },
      cohort: { patients: 10, seed: 9 },
      params: { horizonDays: 365 },
    });
    await page.goto(`${harness.apiUrl}/#/sweeps/${sampled.id}`);
    await page.locator('main[data-sweep-ended="completed"]').waitFor({ timeout: 170_000 });
    const points = (await harness.request('GET', `/v1/sweeps/${sampled.id}/points`)).body as PointsResponse;
    // A dot's height is linear in log(immuneKill): compare positions with the API's values.
    const dots = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid="heatmap"] g[aria-label="dot"] circle')].map((c) =>
        Number(c.getAttribute('cy')),
      ),
    );
    expect(dots).toHaveLength(6);
    const logs = points.points.map((p) => Math.log(p.axisValues.immuneKill!));
    const fraction = (values: number[]) => {
      const low = Math.min(...values);
      const high = Math.max(...values);
      return values.map((v) => (v - low) / (high - low)).sort((a, b) => a - b);
    };
    const drawn = fraction(dots.map((y) => -y));
    const expected = fraction(logs);
    expect(Math.max(...drawn.map((d, i) => Math.abs(d - expected[i]!)))).toBeLessThan(0.01);
  });
});
