import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Harness, startHarness } from '@frontline/api/test-harness';
import { projectRoot } from '@frontline/stack';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard, launchChromium } from './support/browser.js';

const artifacts = join(projectRoot, 'test-artifacts', '/');

/** Grid typed into the form: 3 doses × 2 immune kill rates × 2 EMT plasticities = 12 points. */
const grid = { dose: '0, 2, 10', immuneKill: '0.035, 0.1', emtPlasticity: '0.1, 10' };
const patients = 60;

async function fill(page: Page, fields: Record<string, string>) {
  for (const [name, value] of Object.entries(fields)) await page.fill(`[name="${name}"]`, value);
}

const count = (page: Page, selector: string) => page.locator(selector).count();

describe('dashboard in headless Chromium on the local stack', () => {
  let harness: Harness;
  let browser: Browser;
  let page: Page;
  let worker: Awaited<ReturnType<Harness['startWorker']>>;

  beforeAll(async () => {
    await buildDashboard();
    mkdirSync(artifacts, { recursive: true });
    harness = await startHarness();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  it('asks for an API key when it has none, and uses the one entered', async () => {
    await page.goto(`${harness.apiUrl}/#/`);
    await page.locator('[data-testid="sign-in"]').waitFor();
    await page.fill('[name="apiKey"]', harness.apiKey);
    // The page reloads once the API has set the cookie (POST /v1/session answered).
    await Promise.all([
      page.waitForEvent('load'),
      page.click('[data-testid="sign-in"] button[type="submit"]'),
    ]);
    const cookies = await page.context().cookies(harness.apiUrl);
    // Set by the API (POST /v1/session), out of reach of page scripts, under this stack's own name.
    expect(cookies.find((c) => c.name === harness.app.sessionCookie)).toMatchObject({
      value: encodeURIComponent(harness.apiKey),
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
    });
    expect(await page.evaluate(() => document.cookie)).not.toContain('fl_');
    expect(await page.locator('[data-testid="sign-in"]').count()).toBe(0);
  });
  afterAll(async () => {
    await browser?.close();
    await harness?.stop();
  });

  it('shows every problem of the form next to its field, then submits a sweep and renders its results', async () => {
    await page.goto(`${harness.apiUrl}/#/new`);
    await page.locator('[data-testid="sweep-form"][data-ready]').waitFor();
    await fill(page, {
      name: 'browser sweep',
      'grid.dose': '0, two',
      'grid.immuneKill': grid.immuneKill,
      'grid.emtPlasticity': grid.emtPlasticity,
      patients: '0',
      cohortSeed: '7',
      chunkSize: '30',
      horizonDays: '730',
    });
    // The form checks every field before sending: both problems at once, and nothing is posted.
    const posted: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/v1/sweeps')) posted.push(r.url());
    });
    await page.click('button[type="submit"]');
    await page.locator('[data-testid="error-grid.dose"] [data-path]').first().waitFor();
    expect(await page.locator('[data-testid="error-grid.dose"]').textContent()).toBe(
      'design.axes.dose[1]: expected a number, got "two"',
    );
    expect(await page.locator('[data-testid="error-patients"]').textContent()).toBe(
      'must be a positive integer',
    );
    expect(await page.locator('[data-testid="form-errors"] strong').textContent()).toBe(
      '2 problems to fix: nothing was sent',
    );
    expect(posted).toEqual([]);
    await page.screenshot({ path: `${artifacts}dashboard-form-errors.png`, fullPage: true });

    await fill(page, { 'grid.dose': grid.dose, patients: String(patients) });
    await page.click('button[type="submit"]');
    await page.waitForURL(/#\/sweeps\/[0-9a-f-]{36}$/);
    const sweepId = /#\/sweeps\/([0-9a-f-]{36})$/.exec(page.url())?.[1] ?? '';
    const submitted = await harness.request('GET', `/v1/sweeps/${sweepId}`);
    expect(submitted.body).toMatchObject({ name: 'browser sweep', points: 12, patients });

    // No worker yet: the page shows the queued sweep; it must then follow it live, without a reload.
    await page.locator('[data-testid="status"]', { hasText: 'queued' }).waitFor();
    expect(await page.locator('[data-testid="progress"]').textContent()).toContain(`0 / ${12 * patients}`);
    await expect.poll(() => page.locator('[data-testid="survival-note"]').textContent()).toContain('Partial');
    worker = await harness.startWorker(2);
    // Progress arrives over SSE; the page marks the end once its final results are drawn.
    await page.locator('main[data-sweep-ended="completed"]').waitFor({ timeout: 150_000 });
    expect(await page.locator('[data-testid="progress"]').textContent()).toContain(
      `${12 * patients} / ${12 * patients}`,
    );

    // Kaplan–Meier: grouped by dose (3 values) → 3 step lines and 3 CI bands.
    const plot = '[data-testid="survival-plot"] svg';
    expect(await count(page, `${plot} g[aria-label="line"] path`)).toBe(3);
    expect(await count(page, `${plot} g[aria-label="area"] path`)).toBe(3);
    expect(await page.locator('[data-testid="survival-groups"] tbody tr').count()).toBe(3);
    await page.selectOption('[data-testid="group-by"]', 'immuneKill');
    await page.locator('[data-testid="survival-groups"] tbody tr').nth(1).waitFor();
    await expect.poll(() => count(page, `${plot} g[aria-label="line"] path`)).toBe(2);
    expect(await count(page, `${plot} g[aria-label="area"] path`)).toBe(2);
    await page.selectOption('[data-testid="endpoint"]', 'pfs');
    await expect
      .poll(() => page.locator(`${plot} [aria-label="y-axis label"]`).textContent())
      .toContain('Progression-free');
    expect(await count(page, `${plot} g[aria-label="line"] path`)).toBe(2);
    await page.selectOption('[data-testid="group-by"]', 'dose');
    await page.selectOption('[data-testid="endpoint"]', 'os');
    await expect.poll(() => count(page, `${plot} g[aria-label="line"] path`)).toBe(3);

    // Heatmap: dose (3) × immune kill (2) at one EMT plasticity → 6 cells, labelled.
    const heatmap = '[data-testid="heatmap"] svg';
    const cells = `${heatmap} g[aria-label="cell"] rect`;
    expect(await count(page, cells)).toBe(6);
    expect(await count(page, `${heatmap} g[aria-label="text"] text`)).toBe(6);
    await page.selectOption('[data-testid="heatmap-slice-emtPlasticity"]', '10');
    expect(await count(page, cells)).toBe(6);
    await page.selectOption('[data-testid="heatmap-metric"]', 'os730');
    expect(await count(page, cells)).toBe(6);
    // Every cell's label is the API's value for that point.
    const points = (await harness.request('GET', `/v1/sweeps/${sweepId}/points`)).body.points as {
      axisValues: Record<string, number>;
      os: { at730: number | null };
    }[];
    const slice = points.filter((p) => p.axisValues.emtPlasticity === 10);
    expect(slice).toHaveLength(6);
    const labels = await page.locator(`${heatmap} g[aria-label="text"] text`).allTextContents();
    expect(labels.sort()).toEqual(
      slice.map((p) => (p.os.at730 === null ? 'n/a' : `${(p.os.at730 * 100).toFixed(1)}%`)).sort(),
    );
    await page.selectOption('[data-testid="heatmap-slice-emtPlasticity"]', '0.1');

    expect(await page.locator('[data-testid="points-table"] tbody tr').count()).toBe(12);
    expect(await page.getAttribute('[data-testid="download-csv"]', 'href')).toBe(
      `/v1/sweeps/${sweepId}/outcomes?format=csv`,
    );
    expect(await page.getAttribute('[data-testid="download-parquet"]', 'href')).toBe(
      `/v1/sweeps/${sweepId}/outcomes?format=parquet`,
    );
    const csv = await fetch(`${harness.apiUrl}/v1/sweeps/${sweepId}/outcomes?format=csv`, {
      headers: harness.authHeaders,
    });
    expect(csv.status).toBe(200);
    expect((await csv.text()).trim().split('\n')).toHaveLength(1 + 12 * patients);

    await page.screenshot({ path: `${artifacts}dashboard-sweep.png`, fullPage: true });
  });

  it('lists the sweep as completed and opens Bull Board on the queue', async () => {
    await page.goto(`${harness.apiUrl}/#/`);
    const row = page.locator('[data-testid="sweeps-table"] tbody tr', { hasText: 'browser sweep' });
    await row.waitFor();
    expect(await row.locator('[data-testid="status"]').textContent()).toBe('completed');
    expect(await row.textContent()).toContain(`${12 * patients} / ${12 * patients}`);
    expect(await page.locator('[data-testid="queue-summary"]').textContent()).toContain('frontline-chunks');
    await page.screenshot({ path: `${artifacts}dashboard-sweeps.png`, fullPage: true });

    // With no worker running, a new sweep's chunk jobs wait in the queue for Bull Board to list.
    await worker.stop();
    const waiting = await harness.submit({
      name: 'queued for Bull Board',
      design: { kind: 'grid', axes: { dose: [0, 2] } },
      cohort: { patients: 20, seed: 8, chunkSize: 5 },
    });
    await page.goto(`${harness.apiUrl}/admin/queues/queue/frontline-chunks?status=prioritized`);
    expect(await page.title()).toContain('Frontline queues');
    await page.getByText(`${waiting.id}.0`).first().waitFor();
    // 2 points × 4 chunks, each listed under its deterministic id `<sweep>.<chunk>`.
    expect(await page.getByText(new RegExp(`^${waiting.id}\\.\\d+$`)).count()).toBe(8);
    await page.screenshot({ path: `${artifacts}bull-board.png` });
    expect((await harness.request('POST', `/v1/sweeps/${waiting.id}/cancel`)).status).toBe(200);
  });

  it('draws a sampled (Latin hypercube) sweep as points on continuous axes', async () => {
    await harness.startWorker(2);
    const sampled = await harness.submit({
      name: 'lhs in the browser',
      design: {
        kind: 'lhs',
        samples: 6,
        seed: 3,
        axes: { dose: { min: 0, max: 10 }, immuneKill: { min: 0.01, max: 0.1, scale: 'log' } },
      },
      cohort: { patients: 20, seed: 9 },
      params: { horizonDays: 365 },
    });
    await page.goto(`${harness.apiUrl}/#/sweeps/${sampled.id}`);
    await page.locator('main[data-sweep-ended="completed"]').waitFor({ timeout: 150_000 });
    // Each sample has its own dose, so grouping by dose gives one curve per sample.
    expect(await count(page, '[data-testid="survival-plot"] svg g[aria-label="line"] path')).toBe(6);
    expect(await count(page, '[data-testid="heatmap"] svg g[aria-label="dot"] circle')).toBe(6);
    expect(await count(page, '[data-testid="heatmap"] svg g[aria-label="cell"] rect')).toBe(0);
    expect(await page.locator('[data-testid="points-table"] tbody tr').count()).toBe(6);
  });
});
