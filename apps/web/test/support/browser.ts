// What every dashboard browser test needs: the built dashboard and Debian's headless Chromium.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '@frontline/stack';
import { type Browser, chromium } from 'playwright-core';
import { build } from 'vite';

const webRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Screenshots the closing notes cite (committed under docs/). */
export const screenshots = join(projectRoot, 'docs', 'screenshots');

/** The API serves apps/web/dist: build it from source first. */
export async function buildDashboard(): Promise<void> {
  await build({ root: webRoot, configFile: `${webRoot}vite.config.ts`, logLevel: 'warn' });
  mkdirSync(screenshots, { recursive: true });
}

/** Debian's chromium, never a downloaded browser, with no traffic of its own off the machine. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
