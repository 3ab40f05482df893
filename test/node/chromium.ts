/**
 * Debian's Chromium for the browser tests, driven by playwright-core. CI (`.ci/run`) installs
 * it and sets EDGE_NEWS_REQUIRE_BROWSER, so there a missing browser fails instead of skipping.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

/** Whether the browser tests can run here; says why not (or throws under CI). */
export function haveChromium(suite: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.EDGE_NEWS_REQUIRE_BROWSER)
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  console.warn(`${suite} test skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);
  return false;
}

/** Headless, and quiet on this closed network (no background or update connections). */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
