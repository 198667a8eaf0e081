import { join } from 'node:path';
import { type Harness, startHarness } from '@frontline/api/test-harness';
import type { PointsResponse } from '@frontline/contracts';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard, launchChromium, screenshots } from './support/browser.js';

/** Points per page of GET /v1/sweeps/{id}/points here: the table must follow nextOffset. */
const pageSize = 5;

/**
 * The catalogue served when this API has no GET /v1/model/parameters yet (its own route replaces
 * this once merged): real model parameters in the route's shape.
 */
const parameter = (
  name: string,
  description: string,
  unit: string,
  dflt: number,
  range: [number | null, number | null],
  perPatient: boolean,
  sweepable: boolean,
) => ({ name, description, unit, default: dflt, min: range[0], max: range[1], perPatient, sweepable });
const catalogueFixture = {
  parameters: [
    parameter('dose', 'peak concentration per bolus', 'EC50', 1, [0, null], false, true),
    parameter('immuneKill', 'immune kill rate', '1/d', 0.035, [0, null], false, true),
    parameter('emtPlasticity', 'EMT plasticity', '', 1, [0, null], true, true),
    parameter('cycles', 'number of boluses', '', 6, [1, 1000], false, true),
    parameter(
      'growthRateSigma',
      'between-patient spread of the growth rate',
      '',
      0.2,
      [0, null],
      false,
      false,
    ),
  ],
};

const count = (page: Page, selector: string) => page.locator(selector).count();
const texts = (page: Page, selector: string) => page.locator(selector).allTextContents();

describe('dashboard workflow in headless Chromium: form, points table, slices, compare, clone, delete', () => {
  let harness: Harness;
  let browser: Browser;
  let page: Page;
  let catalogueNames: string[];
  let gridId: string;
  let cloneId: string;

  beforeAll(async () => {
    await buildDashboard();
    harness = await startHarness({ capacity: { maxPointsPerPage: pageSize } });
    await harness.startWorker(2);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const served = await harness.request('GET', '/v1/model/parameters');
    const catalogue = served.status === 200 ? served.body : catalogueFixture;
    if (served.status !== 200)
      await page.route('**/v1/model/parameters', (route) => route.fulfill({ json: catalogueFixture }));
    catalogueNames = (catalogue as typeof catalogueFixture).parameters
      .filter((p) => p.sweepable)
      .map((p) => p.name);
    // Sign in as the dashboard does: the API sets its session cookie.
    await open(`/`);
    await page.fill('[name="apiKey"]', harness.apiKey);
    await Promise.all([
      page.waitForEvent('load'),
      page.click('[data-testid="sign-in"] button[type="submit"]'),
    ]);
  }, 180_000);
  /** A full page load of a dashboard route (a hash change alone could leave the last view's marks). */
  async function open(route: string) {
    await page.goto('about:blank');
    await page.goto(`${harness.apiUrl}/#${route}`);
  }
  /** The id of the sweep the form opened after submitting. */
  async function openedSweep() {
    await page.waitForFunction(() => /^#\/sweeps\/[0-9a-f-]{36}$/.test(location.hash));
    return page.evaluate(() => location.hash.slice('#/sweeps/'.length));
  }
  afterAll(async () => {
    await browser?.close();
    await harness?.stop();
  });

  it('shows every problem of the form at once, each at its field, and sends nothing', async () => {
    await open(`/new`);
    await page.locator('[data-testid="sweep-form"][data-ready]').waitFor();
    const posted: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/v1/sweeps')) posted.push(r.url());
    });
    await page.fill('[name="name"]', '');
    await page.fill('[name="grid.dose"]', '1, x');
    await page.fill('[name="patients"]', '-1');
    await page.fill('[name="cohortSeed"]', 'seven');
    await page.fill('[name="extraParams"]', '{"seedingRate": 1e-5');
    await page.click('button[type="submit"]');
    await page.locator('[data-testid="form-errors"] strong').waitFor();
    expect(await page.locator('[data-testid="form-errors"] strong').textContent()).toBe(
      '5 problems to fix: nothing was sent',
    );
    expect(await page.locator('[data-testid="error-name"]').textContent()).toBe('required');
    expect(await page.locator('[data-testid="error-grid.dose"]').textContent()).toBe(
      'design.axes.dose[1]: expected a number, got "x"',
    );
    expect(await page.locator('[data-testid="error-patients"]').textContent()).toBe(
      'must be a positive integer',
    );
    expect(await page.locator('[data-testid="error-cohortSeed"]').textContent()).toBe(
      'expected a number, got "seven"',
    );
    expect(await page.locator('[data-testid="error-extraParams"]').textContent()).toMatch(/^invalid JSON: /);
    expect(await count(page, '.field.invalid')).toBe(5);
    expect(posted).toEqual([]);
  });

  it('offers every sweepable parameter of the catalogue as an axis, and submits a sweep on one of them', async () => {
    await open(`/new`);
    await page.locator('[data-testid="sweep-form"][data-ready]').waitFor();
    const pickers = page.locator('[data-testid="axis-picker"]');
    expect(await pickers.count()).toBe(3);
    expect(
      await pickers
        .first()
        .locator('option')
        .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)),
    ).toEqual(catalogueNames);
    expect(catalogueNames).toContain('cycles');
    expect(catalogueNames).not.toContain('doseDays'); // a list of days: set in params, never an axis
    // dose × cycles with dose 0 as the reference arm: drop the other two mission axes, pick cycles.
    await page.locator('[data-axis="emtPlasticity"] button[title="Remove this axis"]').click();
    await page.selectOption('[name="axisName.1"]', 'cycles');
    await page.locator('[name="grid.cycles"]').waitFor();
    await page.fill('[name="name"]', 'workflow grid');
    await page.fill('[name="grid.dose"]', '0, 2');
    await page.fill('[name="grid.cycles"]', '1, 3');
    await page.fill('[name="ref.dose"]', '0');
    await page.fill('[name="patients"]', '40');
    await page.fill('[name="cohortSeed"]', '11');
    await page.fill('[name="horizonDays"]', '730');
    // The preview asks the API for a dry run: 4 points × 40 patients, nothing created.
    const sweepsBefore = (await harness.request('GET', '/v1/sweeps?limit=200')).body.items.length;
    await page.click('[data-testid="preview-cost"]');
    await page.locator('[data-testid="dry-run"] td[data-key="simulations"]').waitFor();
    expect(await page.locator('[data-testid="dry-run"] td[data-key="simulations"]').textContent()).toBe(
      '160',
    );
    expect(await page.locator('[data-testid="dry-run"] td[data-key="chunks"]').textContent()).toBe(
      '1 of up to 2,000',
    );
    expect((await harness.request('GET', '/v1/sweeps?limit=200')).body.items.length).toBe(sweepsBefore);
    await page.click('button[type="submit"]');
    gridId = await openedSweep();
    const stored = await harness.request('GET', `/v1/sweeps/${gridId}`);
    expect(stored.body.spec).toMatchObject({
      design: { kind: 'grid', axes: { dose: [0, 2], cycles: [1, 3] } },
      referenceArm: { dose: 0 },
      cohort: { patients: 40, seed: 11 },
      params: { horizonDays: 730 },
    });
    await page.locator('main[data-sweep-ended="completed"]').waitFor({ timeout: 150_000 });
  });

  it('pages through the points, sorts by any column and filters by range and text', async () => {
    // 12 LHS points over 3 pages of 5: dose sampled on a log scale.
    const lhs = await harness.submit({
      name: 'workflow lhs',
      design: {
        kind: 'lhs',
        samples: 12,
        seed: 5,
        axes: { dose: { min: 0.1, max: 10, scale: 'log' }, immuneKill: { min: 0.01, max: 0.1 } },
      },
      cohort: { patients: 20, seed: 12 },
      params: { horizonDays: 240 },
    });
    await harness.waitForSweep(lhs.id, (s) => s.status === 'completed');
    const pages = [0, 5, 10].map((offset) =>
      harness.request('GET', `/v1/sweeps/${lhs.id}/points?offset=${offset}`),
    );
    const points = (await Promise.all(pages)).flatMap((p) => (p.body as PointsResponse).points);
    expect(points).toHaveLength(12);

    await open(`/sweeps/${lhs.id}`);
    await page.locator('main[data-sweep-ended="completed"]').waitFor();
    const rows = '[data-testid="points-table"] tbody tr';
    // All 12, where one page holds 5: the table followed nextOffset.
    expect(await count(page, rows)).toBe(12);
    expect(await page.locator('[data-testid="points-count"]').textContent()).toBe('12 points');
    const shownOrder = async () =>
      (
        await page.locator(rows).evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.pointIndex))
      ).map(Number);

    const byDose = [...points].sort((a, b) => (a.axisValues.dose ?? 0) - (b.axisValues.dose ?? 0));
    await page.click('th[data-column="axis:dose"]');
    expect(await shownOrder()).toEqual(byDose.map((p) => p.pointIndex));
    await page.click('th[data-column="axis:dose"]');
    expect(await shownOrder()).toEqual(byDose.map((p) => p.pointIndex).reverse());
    expect(await page.getAttribute('th[data-column="axis:dose"]', 'aria-sort')).toBe('descending');
    // RMST OS: every point has one; descending.
    const rmst = page.locator('th', { hasText: 'RMST OS' });
    await rmst.click();
    await rmst.click();
    const byRmst = [...points].sort(
      (a, b) => (b.os.rmst ?? 0) - (a.os.rmst ?? 0) || a.pointIndex - b.pointIndex,
    );
    expect(await shownOrder()).toEqual(byRmst.map((p) => p.pointIndex));

    // Range filter on dose, then a text filter on top of it.
    await page.fill('[data-testid="points-min-dose"]', '1');
    const atLeastOne = byRmst.filter((p) => (p.axisValues.dose ?? 0) >= 1).map((p) => p.pointIndex);
    expect(await shownOrder()).toEqual(atLeastOne);
    expect(await page.locator('[data-testid="points-count"]').textContent()).toBe(
      `${atLeastOne.length} of 12 points`,
    );
    await page.fill('[data-testid="points-max-dose"]', '3');
    const oneToThree = byRmst
      .filter((p) => (p.axisValues.dose ?? 0) >= 1 && (p.axisValues.dose ?? 0) <= 3)
      .map((p) => p.pointIndex);
    expect(await shownOrder()).toEqual(oneToThree);
    await page.fill('[data-testid="points-min-dose"]', '');
    await page.fill('[data-testid="points-max-dose"]', '');
    await page.fill('[data-testid="points-filter"]', 'no such text');
    expect(await count(page, rows)).toBe(0);
    await page.fill('[data-testid="points-filter"]', '');
    expect(await count(page, rows)).toBe(12);

    // The table scrolls inside its box under a sticky header instead of overflowing the page.
    const box = await page.locator('[data-testid="points-scroll"]').evaluate((el) => {
      const style = getComputedStyle(el);
      const th = el.querySelector('th') as HTMLElement;
      return { overflow: style.overflow, sticky: getComputedStyle(th).position };
    });
    expect(box).toEqual({ overflow: 'auto', sticky: 'sticky' });
    const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(pageWidth).toBeLessThanOrEqual(1280);

    // Slice view: one scatter per axis, dose drawn on a log axis, RMST known for every point
    // (S(730) is past this 240-day horizon: no point has one, and the note says so).
    await page.selectOption('[data-testid="slice-metric"]', 'os730');
    expect(await page.locator('[data-testid="slice-note"]').textContent()).toBe(
      '12 of 12 points have no OS S(730) (not reached, past follow-up or pending)',
    );
    await page.selectOption('[data-testid="slice-metric"]', 'rmstOs');
    expect(await page.getAttribute('[data-testid="slice-dose"]', 'data-scale')).toBe('log');
    expect(await page.getAttribute('[data-testid="slice-immuneKill"]', 'data-scale')).toBe('linear');
    expect(await count(page, '[data-testid="slice-dose"] g[aria-label="dot"] circle')).toBe(12);
    expect(await count(page, '[data-testid="slice-immuneKill"] g[aria-label="dot"] circle')).toBe(12);
    await page.locator('[data-testid="points-scroll"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(screenshots, 'points-table.png'), fullPage: true });
  });

  it('clones a sweep into the form with its spec filled in', async () => {
    await open(`/sweeps/${gridId}`);
    await page.locator('main[data-sweep-ended="completed"]').waitFor();
    await page.click('[data-testid="clone-sweep"]');
    await page.locator('[data-testid="sweep-form"][data-ready]').waitFor();
    const value = (name: string) => page.inputValue(`[name="${name}"]`);
    expect(await value('name')).toBe('workflow grid (copy)');
    expect(await value('kind')).toBe('grid');
    expect(await value('grid.dose')).toBe('0, 2');
    expect(await value('grid.cycles')).toBe('1, 3');
    expect(await value('ref.dose')).toBe('0');
    expect([await value('patients'), await value('cohortSeed'), await value('horizonDays')]).toEqual([
      '40',
      '11',
      '730',
    ]);
    expect(await count(page, '[data-testid="axis-picker"]')).toBe(2);
    await page.fill('[name="cohortSeed"]', '12');
    await page.click('button[type="submit"]');
    cloneId = await openedSweep();
    expect(cloneId).not.toBe(gridId);
    await page.locator('main[data-sweep-ended="completed"]').waitFor({ timeout: 150_000 });
  });

  it('compares two sweeps’ curves side by side, grouped by a shared axis', async () => {
    await open(`/compare/${gridId}`);
    await page.locator('[data-testid="compare-with"]').waitFor();
    await page.selectOption('[data-testid="compare-with"]', cloneId);
    await page.locator(`main[data-compare-drawn="${gridId}/${cloneId}"]`).waitFor();
    expect(
      await page
        .locator('[data-testid="compare-group-by"] option')
        .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)),
    ).toEqual(['dose', 'cycles']);
    // Grouped by dose: two curves (dose 0 and 2) in each sweep's plot.
    for (const side of ['first', 'second'])
      expect(await count(page, `[data-testid="compare-${side}"] g[aria-label="line"] path`)).toBe(2);
    expect(await texts(page, '[data-testid="compare-plots"] h2')).toEqual([
      'workflow grid',
      'workflow grid (copy)',
    ]);
    await page.screenshot({ path: join(screenshots, 'compare-view.png'), fullPage: true });
  });

  it('deletes a sweep only after the user confirms, and it leaves the list', async () => {
    await open(`/`);
    const row = page.locator(`[data-testid="sweeps-table"] tr[data-sweep-id="${cloneId}"]`);
    await row.waitFor();
    await row.locator('[data-testid="delete-sweep"]').click();
    const dialog = page.locator('[data-testid="confirm-dialog"]');
    await dialog.waitFor();
    expect(await dialog.locator('p').textContent()).toContain('Delete “workflow grid (copy)”');
    await page.click('[data-testid="confirm-keep"]');
    await dialog.waitFor({ state: 'detached' });
    expect((await harness.request('GET', `/v1/sweeps/${cloneId}`)).status).toBe(200);

    await row.locator('[data-testid="delete-sweep"]').click();
    await page.click('[data-testid="confirm-yes"]');
    await row.waitFor({ state: 'detached' });
    expect((await harness.request('GET', `/v1/sweeps/${cloneId}`)).status).toBe(404);
    expect(await count(page, `[data-testid="sweeps-table"] tr[data-sweep-id="${gridId}"]`)).toBe(1);
  });

  it('asks before cancelling a running sweep', async () => {
    await harness.stopWorkers(); // nothing runs it: it stays queued until cancelled
    const queued = await harness.submit({
      name: 'workflow queued',
      design: { kind: 'grid', axes: { dose: [0, 1] } },
      cohort: { patients: 20, seed: 13 },
    });
    await open(`/sweeps/${queued.id}`);
    await page.click('[data-testid="cancel-sweep"]');
    await page.click('[data-testid="confirm-keep"]');
    expect((await harness.request('GET', `/v1/sweeps/${queued.id}`)).body.status).toBe('queued');
    await page.click('[data-testid="cancel-sweep"]');
    await page.click('[data-testid="confirm-yes"]');
    await page.locator('[data-testid="status"]', { hasText: 'cancelled' }).waitFor();
    expect((await harness.request('GET', `/v1/sweeps/${queued.id}`)).body.status).toBe('cancelled');
    expect(await count(page, '[data-testid="delete-sweep"]')).toBe(1);
  });
});
