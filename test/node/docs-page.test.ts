/**
 * The docs page in a real browser (Debian's Chromium driven by playwright-core), served by
 * the real Worker in workerd. CI installs Chromium (.ci/run) and sets
 * EDGE_NEWS_REQUIRE_BROWSER=1, so there the test cannot be skipped.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium, launchChromium } from './chromium.ts';
import { startWorker } from './worker.ts';

const haveBrowser = haveChromium('docs-page');

describe.skipIf(!haveBrowser)('GET /docs in Chromium', () => {
  let worker: Awaited<ReturnType<typeof startWorker>>;
  let browser: Browser;
  let origin = '';
  beforeAll(async () => {
    worker = await startWorker();
    origin = (await worker.url).origin;
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await worker?.dispose();
  });

  it('renders every operation and links to the OpenAPI document', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const res = await page.goto(`${origin}/docs`);
    expect(res?.status()).toBe(200);
    expect(await page.title()).toBe('Edge News API');
    const operations = await page.locator('section.op h2').allInnerTexts();
    expect(operations).toContain('GET /v1/feed');
    expect(operations).toContain('GET /feed.atom');
    expect(operations.length).toBeGreaterThanOrEqual(10);
    await page.getByRole('link', { name: '/openapi.json' }).click();
    await page.waitForURL(`${origin}/openapi.json`);
    const doc = JSON.parse((await page.locator('body').innerText()) || '{}') as {
      openapi?: string;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(errors).toEqual([]);
  });
});
