import { join } from 'node:path';
import { type Harness, startHarness } from '@frontline/api/test-harness';
import type { SensitivityResponse } from '@frontline/contracts';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard, launchChromium, screenshots } from './support/browser.js';

const chart = '[data-testid="sensitivity"]';

interface DrawnBar {
  axis: string;
  kind: string;
  value: number;
  lower: number;
  upper: number;
  width: number;
}

describe('Sobol indices chart in headless Chromium', () => {
  let harness: Harness;
  let browser: Browser;
  let page: Page;
  let sweepId: string;

  beforeAll(async () => {
    await buildDashboard();
    harness = await startHarness();
    await harness.startWorker(2);
    const created = await harness.submit({
      name: 'mission axes',
      design: {
        kind: 'saltelli',
        samples: 16,
        seed: 7,
        axes: {
          dose: { min: 0, max: 5 },
          immuneKill: { min: 0.01, max: 0.1, scale: 'log' },
          emtPlasticity: { min: 0.1, max: 10, scale: 'log' },
        },
      },
      cohort: { patients: 40, seed: 2026 },
    });
    sweepId = created.id;
    await harness.waitForSweep(sweepId, (s) => s.status === 'completed');
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
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

  const drawnBars = () =>
    page.locator(`${chart} rect.bar`).evaluateAll((bars) =>
      bars.map((bar) => ({
        axis: bar.getAttribute('data-axis')!,
        kind: bar.getAttribute('data-kind')!,
        value: Number(bar.getAttribute('data-value')),
        lower: Number(bar.getAttribute('data-lower')),
        upper: Number(bar.getAttribute('data-upper')),
        width: Number(bar.getAttribute('width')),
      })),
    ) as Promise<DrawnBar[]>;

  /** The bars carry the API's indices, and their lengths are those indices on one scale. */
  function expectBarsEqual(bars: DrawnBar[], answer: SensitivityResponse) {
    expect(bars.map(({ width: _, ...bar }) => bar)).toEqual(
      answer.axes.flatMap((a) => [
        { axis: a.axis, kind: 'first', ...a.first },
        { axis: a.axis, kind: 'total', ...a.total },
      ]),
    );
    const pixelsPerUnit = bars[0]!.width / Math.abs(bars[0]!.value);
    for (const bar of bars) expect(bar.width).toBeCloseTo(Math.abs(bar.value) * pixelsPerUnit, 6);
  }

  it('draws first and total index bars equal to the API answer, and redraws for another metric', async () => {
    await page.goto(`${harness.apiUrl}/#/sweeps/${sweepId}`);
    await page.locator('main[data-sweep-ended="completed"]').waitFor();
    const survival = (await harness.request('GET', `/v1/sweeps/${sweepId}/sensitivity?metric=survivalAt`))
      .body as SensitivityResponse;
    expect(await page.locator(`${chart} rect.bar`).count()).toBe(6);
    expectBarsEqual(await drawnBars(), survival);
    expect(await page.locator(`${chart} g.interval`).count()).toBe(6);
    expect(await page.locator('[data-testid="sensitivity-noise"]').textContent()).toBe(
      `Cohort noise: ${(100 * survival.cohortNoise.share).toFixed(1)}% of the metric’s variance across points · 16 base rows × 40 patients`,
    );
    await page
      .locator('[data-testid="sensitivity"]')
      .locator('xpath=..')
      .screenshot({ path: join(screenshots, 'sensitivity.png') });

    await page.selectOption('[data-testid="sensitivity-metric"]', 'curedFraction');
    const cured = (await harness.request('GET', `/v1/sweeps/${sweepId}/sensitivity?metric=curedFraction`))
      .body as SensitivityResponse;
    await page.waitForFunction(
      (value) =>
        document.querySelector('[data-testid="sensitivity"] rect.bar')?.getAttribute('data-value') === value,
      String(cured.axes[0]!.first.value),
    );
    expectBarsEqual(await drawnBars(), cured);
  });

  it('shows no sensitivity section for a design that is not saltelli', async () => {
    const grid = await harness.submit({
      name: 'a grid',
      design: { kind: 'grid', axes: { dose: [0, 2] } },
      cohort: { patients: 5, seed: 1 },
    });
    await harness.waitForSweep(grid.id, (s) => s.status === 'completed');
    await page.goto('about:blank'); // a fresh load: the previous page's marks must not linger
    await page.goto(`${harness.apiUrl}/#/sweeps/${grid.id}`);
    await page.locator('main[data-sweep-ended="completed"]').waitFor();
    expect(await page.locator(chart).count()).toBe(0);
  });
});
