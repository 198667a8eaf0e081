import { join } from 'node:path';
import { type Harness, startHarness } from '@frontline/api/test-harness';
import type { HazardRatiosResponse, PowerResponse } from '@frontline/contracts';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard, launchChromium, screenshots } from './support/browser.js';

const forest = '[data-testid="forest-plot"]';
const power = '[data-testid="power-curve"]';

describe('forest plot and power curve in headless Chromium', () => {
  let harness: Harness;
  let browser: Browser;
  let page: Page;
  let sweepId: string;
  let powerRequest: Promise<{ url(): string }>;

  beforeAll(async () => {
    await buildDashboard();
    harness = await startHarness();
    await harness.startWorker(2);
    const created = await harness.submit({
      name: 'forest plot',
      model: 'lf-tid@1',
      design: { kind: 'grid', axes: { dose: [0, 1, 2], immuneKill: [0.035, 0.35] } },
      cohort: { patients: 100, seed: 1616, chunkSize: 50 },
      referenceArm: { dose: 0 },
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

  it("draws one forest-plot row per arm with the API's hazard ratio, interval and p-value", async () => {
    powerRequest = page.waitForRequest(/\/power\?/);
    await page.goto(`${harness.apiUrl}/#/sweeps/${sweepId}`);
    await page.locator(`${forest} g.hr-labels text`).nth(2).waitFor();
    const { body } = (await harness.request(
      'GET',
      `/v1/sweeps/${sweepId}/hazard-ratios?endpoint=os&groupBy=dose`,
    )) as { body: HazardRatiosResponse };
    const fixed = (v: number | null) => (v === null ? 'NA' : v.toFixed(2));
    const labels = await page.locator(`${forest} g.hr-labels text`).allTextContents();
    expect(labels).toEqual(
      body.groups.map((g) =>
        g.reference ? 'reference' : `${fixed(g.hazardRatio)} (${fixed(g.lower)}–${fixed(g.upper)})`,
      ),
    );
    // Arm names on the y axis, one square per arm and one interval per compared arm.
    expect(await page.locator(`${forest} g[aria-label="y-axis tick label"] text`).allTextContents()).toEqual([
      'dose=0',
      'dose=1',
      'dose=2',
    ]);
    expect(await page.locator(`${forest} g.hr-points path`).count()).toBe(3);
    expect(await page.locator(`${forest} g.hr-intervals path`).count()).toBe(2);
    expect(await page.locator('[data-testid="forest-note"]').textContent()).toContain(
      'Cox model stratified by immuneKill (2 strata): each arm pools 2 points of the same 100 virtual patients.',
    );
    await page.locator(forest).screenshot({ path: join(screenshots, 'forest-plot.png') });
  });

  it("draws the power curve at the API's power for each sample size, with its band and the 80% line", async () => {
    // The page's own query (its sample sizes follow the arm's hazard ratio): the same answer, by seed.
    const asked = new URL((await powerRequest).url());
    expect(asked.searchParams.get('arm')).toBe('2');
    const { body } = (await harness.request('GET', `${asked.pathname}${asked.search}`)) as {
      body: PowerResponse;
    };
    expect(body.rows.length).toBeGreaterThanOrEqual(5);
    const last = body.rows.length - 1;
    await page.locator(`${power} g.power-points circle`).nth(last).waitFor();
    const cy = await page
      .locator(`${power} g.power-points circle`)
      .evaluateAll((dots) => dots.map((d) => Number(d.getAttribute('cy'))));
    // Plot's y scale is linear in power: equal steps of power are equal steps in pixels.
    expect(cy).toHaveLength(body.rows.length);
    const [y0, y1] = [cy[0]!, cy[last]!];
    const [p0, p1] = [body.rows[0]!.power, body.rows[last]!.power];
    if (p1 !== p0)
      for (const [i, row] of body.rows.entries())
        expect(cy[i]!).toBeCloseTo(y0 + ((row.power - p0) / (p1 - p0)) * (y1 - y0), 0);
    expect(await page.locator(`${power} g.power-80 line`).count()).toBe(1);
    expect(await page.locator('[data-testid="power-note"]').textContent()).toContain('dose = 2 vs 0');
    await page.locator(power).screenshot({ path: join(screenshots, 'power-curve.png') });
  });
});
