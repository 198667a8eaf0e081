import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { registerErrorHandling } from '../src/errors.js';
import { dashboardRoutes } from '../src/routes/dashboard.js';

const dist = mkdtempSync(join(tmpdir(), 'frontline-dashboard-'));
afterAll(() => rmSync(dist, { recursive: true, force: true }));

async function appServing(dir: string | undefined) {
  const app = Fastify();
  registerErrorHandling(app);
  await app.register(dashboardRoutes({ dashboardDir: dir }));
  return app;
}

describe('dashboard at /', () => {
  it('says how to build the dashboard while apps/web/dist is missing, then serves the build without a restart', async () => {
    const app = await appServing(dist);
    const missing = await app.inject({ url: '/' });
    expect(missing.statusCode).toBe(503);
    expect(missing.headers['content-type']).toMatch(/^text\/plain/);
    expect(missing.body).toContain('pnpm --filter @frontline/web build');

    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Frontline</title>');
    writeFileSync(join(dist, 'assets', 'index-abc.js'), 'console.log(1)');
    const page = await app.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<title>Frontline</title>');
    const asset = await app.inject({ url: '/assets/index-abc.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toBe('console.log(1)');

    // Unknown paths still get the API's error envelope, not a file listing.
    const unknown = await app.inject({ url: '/v1/nope' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'not_found' } });
    await app.close();
  });

  it('without DASHBOARD_DIR says how to build and configure it, and serves no files', async () => {
    const app = await appServing(undefined);
    const missing = await app.inject({ url: '/' });
    expect(missing.statusCode).toBe(503);
    expect(missing.body).toContain('pnpm --filter @frontline/web build');
    expect(missing.body).toContain('DASHBOARD_DIR=<repository>/apps/web/dist');
    expect((await app.inject({ url: '/assets/index-abc.js' })).statusCode).toBe(404);
    await app.close();
  });
});
