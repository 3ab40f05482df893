/**
 * The pages in a real browser: Debian's Chromium driven by playwright-core, against
 * `wrangler dev` (unstable_startWorker) on a free port of 8870-8879, with the sample
 * snapshot published by the build script and the sample ads seeded as `npm start` does.
 *
 * Every page is checked with axe-core (no serious or critical violation) and photographed
 * at 1280 px and 360 px into .wrangler/screenshots (git-ignored). Every wait is for a
 * condition; the timeouts are generous because the machine may be busy.
 *
 * CI installs Chromium (.ci/run) and sets EDGE_NEWS_REQUIRE_BROWSER=1: there it cannot skip.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { unstable_startWorker } from 'wrangler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium, launchChromium } from './chromium.ts';
import { freePort } from './free-port.ts';
import { SAMPLE_ADS } from '../../scripts/sample/ads.ts';
import { seedSampleAds } from '../../scripts/lib/sample-ads.ts';

const haveBrowser = haveChromium('pages-browser');

const SHOTS = '.wrangler/screenshots';
const ADMIN_TOKEN = `browser-test-${crypto.randomUUID()}`;
/** Long enough for a loaded 2-core machine; every wait ends as soon as its condition holds. */
const WAIT = 60_000;
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let ipCounter = 0;
/** Each browser context is another person: its own client address (the rate limit is per client). */
const person = (browser: Browser) =>
  browser.newContext({
    extraHTTPHeaders: { 'cf-connecting-ip': `2001:db8:b0:${++ipCounter}::1` },
    viewport: { width: 1280, height: 800 },
  });

/** axe-core on the page as it is: no serious or critical violation. */
async function expectAccessible(page: Page, name: string) {
  // evaluate() runs through DevTools, so the page's CSP (which would refuse an injected
  // <script>) stays as it is for the page's own script.
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const result = await (
      globalThis as unknown as {
        axe: {
          run: () => Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }>;
        };
      }
    ).axe.run();
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  });
  expect(
    violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'),
    name,
  ).toEqual([]);
}

/** Screenshots at 1280 px and 360 px, then back to the desktop width. */
async function photograph(page: Page, name: string) {
  await page.screenshot({ path: join(SHOTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 360, height: 740 });
  await page.screenshot({ path: join(SHOTS, `${name}-360.png`), fullPage: true });
  // Readable at 360 px: nothing wider than the screen.
  expect(await page.evaluate('document.documentElement.scrollWidth'), name).toBeLessThanOrEqual(
    360,
  );
  await page.setViewportSize({ width: 1280, height: 800 });
}

const check = async (page: Page, name: string) => {
  // At most 50 KB without images: the document (inline script and style included).
  expect(Buffer.byteLength(await page.content()), name).toBeLessThan(50 * 1024);
  await expectAccessible(page, name);
  await photograph(page, name);
};

/** The form token's issue time, and a wait until it is old enough to be accepted (3 s). */
async function waitOutFillTime(page: Page) {
  const token = await page.locator('input[name="form_token"]').inputValue();
  const issued = Number(token.split('.')[1]);
  await page.waitForFunction((at) => Date.now() > at + 3_500, issued, { timeout: WAIT });
}

/** Reloads until `selector` holds `text`: the page is cached for its max-age (30 s). */
async function reloadUntil(page: Page, selector: string, text: string) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    if ((await page.locator(selector).allInnerTexts()).join('\n').includes(text)) return;
    if (Date.now() > deadline) throw new Error(`${text} never appeared in ${selector}`);
    await page.reload();
  }
}

describe.skipIf(!haveBrowser)('pages in Chromium', { timeout: 300_000 }, () => {
  let worker: Awaited<ReturnType<typeof unstable_startWorker>>;
  let browser: Browser;
  let origin = '';
  let state = '';

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    state = mkdtempSync(join(tmpdir(), 'edge-news-pages-'));
    const built = spawnSync(
      process.execPath,
      ['scripts/build.ts', '--local', '--persist-to', state],
      { encoding: 'utf8' },
    );
    expect(built.status, built.stderr).toBe(0);
    worker = await unstable_startWorker({
      config: 'wrangler.toml',
      bindings: {
        ADMIN_TOKEN: { type: 'secret_text', value: ADMIN_TOKEN },
        // No configured public URL: absolute links must follow the request's origin (this port).
        SITE_URL: { type: 'plain_text', value: '' },
      },
      dev: {
        server: { port: await freePort() },
        inspector: false,
        persist: state,
        logLevel: 'error',
      },
    });
    origin = (await worker.url).origin;
    expect(await seedSampleAds(origin, ADMIN_TOKEN)).toBe(SAMPLE_ADS.length);
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.dispose();
    if (state) rmSync(state, { recursive: true, force: true });
  });

  let reader: BrowserContext;
  beforeAll(async () => {
    reader = await person(browser);
  });

  it('the front page has the seed shape: featured article with credit, ads today, section lists', async () => {
    const page = await reader.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The sample's images are on a reserved host (RFC 2606 .example) that never resolves.
    page.on(
      'console',
      (m) =>
        m.type() === 'error' &&
        !m.text().includes('ERR_NAME_NOT_RESOLVED') &&
        errors.push(m.text()),
    );
    await page.goto(`${origin}/?hl=ru`);
    const featured = page.locator('section.featured');
    await expect.poll(() => featured.locator('h2').innerText()).toBe('News in English');
    expect(await featured.locator('h3').innerText()).toBe(
      'The United States Should Use Rapprochement with Belarus to Push for Democratic Reforms',
    );
    expect(await featured.locator('img').count()).toBe(1);
    expect(await featured.locator('.credit').innerText()).toBe(
      'Фото: Drop of Light / Shutterstock',
    );
    expect(await featured.innerText()).toContain("Europe's East and Russia");
    expect(await page.locator('#ads-h').innerText()).toBe('Частные объявления сегодня');
    expect((await page.locator('#ads-today li a').allInnerTexts()).sort()).toEqual(
      SAMPLE_ADS.map((a) => a.title).sort(),
    );
    expect(await page.getByRole('link', { name: 'Добавить новость' }).first().isVisible()).toBe(
      true,
    );
    const sections = page.locator('section[aria-labelledby^="s-"]');
    expect(await sections.count()).toBeGreaterThanOrEqual(10);
    // Every headline says its language; the page mixes Russian, Ukrainian and English.
    const langs = await page
      .locator('ul.headlines li')
      .evaluateAll((lis) => lis.map((li) => li.getAttribute('lang')));
    expect(langs.every((l) => l === 'ru' || l === 'uk' || l === 'en')).toBe(true);
    expect(new Set(langs).size).toBe(3);
    expect(await page.locator('.also').count()).toBeGreaterThan(0);
    await check(page, 'front');
    // The language switcher, by keyboard.
    await page.getByRole('link', { name: 'English', exact: true }).first().focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/hl=en/, { timeout: WAIT });
    expect(await page.locator('#ads-h').innerText()).toBe('Private ads today');
    await page.locator('section[aria-labelledby="s-politics"] h3 a').click();
    await page.waitForURL(/\/sections\/politics/, { timeout: WAIT });
    await check(page, 'section');
    expect(errors).toEqual([]);
  });

  it('search as you type: suggestions and results appear letter by letter, then an article opens', async () => {
    const page = await reader.newPage();
    await page.goto(`${origin}/search?hl=en`);
    const box = page.getByRole('combobox', { name: 'Search the news' });
    await box.click();
    await page.keyboard.type('сочи', { delay: 80 });
    await page.locator('#q-suggest li').first().waitFor({ state: 'visible', timeout: WAIT });
    const api = (await (
      await fetch(`${origin}/v1/suggest?q=${encodeURIComponent('сочи')}&limit=6`)
    ).json()) as {
      suggestions: { word: string }[];
    };
    const word = api.suggestions[0]!.word;
    // The list may still show an earlier prefix's suggestions (со, соч) when the first item
    // appears: wait for the whole word's.
    await expect
      .poll(() => page.locator('#q-suggest li').allInnerTexts(), { timeout: WAIT })
      .toEqual(api.suggestions.map((s) => s.word));
    // The results of the whole word typed, as /v1/search gives them, highlights included.
    const results = (await (
      await fetch(`${origin}/v1/search?q=${encodeURIComponent('сочи')}`)
    ).json()) as {
      items: { title: string; highlights: { title: unknown[]; snippet: unknown[] } }[];
      corrections: { to: string }[];
    };
    expect(results.items.length).toBeGreaterThan(0);
    await expect
      .poll(() => page.locator('#hits li h2').allInnerTexts(), { timeout: WAIT })
      .toEqual(results.items.map((i) => i.title));
    const ranges = results.items.reduce(
      (n, i) => n + i.highlights.title.length + i.highlights.snippet.length,
      0,
    );
    expect(ranges).toBeGreaterThan(0);
    expect(await page.locator('#hits mark').count()).toBe(ranges);
    if (results.corrections.length)
      expect(await page.locator('#notes').innerText()).toBe(
        `Showing results for ${results.corrections.map((c) => c.to).join(' ')}`,
      );
    await page.waitForURL(/\/search\?q=%D1%81%D0%BE%D1%87%D0%B8/, { timeout: WAIT });
    // Keyboard: down to the suggestion, Enter takes it.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(() => box.inputValue(), { timeout: WAIT }).toBe(`${word} `);
    // The chosen word closes the list; the results follow the new query.
    await page.locator('#q-suggest').waitFor({ state: 'hidden', timeout: WAIT });
    expect(await box.getAttribute('aria-expanded')).toBe('false');
    await check(page, 'search');
    const first = page.locator('#hits li h2 a').first();
    const title = await first.innerText();
    await first.click();
    await page.waitForURL(/\/articles\//, { timeout: WAIT });
    expect(await page.locator('h1').innerText()).toBe(title);
    expect(await page.locator('link[rel="canonical"]').getAttribute('href')).toMatch(
      new RegExp(`^${origin}/articles/`),
    );
    await check(page, 'article');
  });

  it('without JavaScript the search box is a plain form that the server answers', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${origin}/?hl=en`);
    await page.getByRole('combobox', { name: 'Search the news' }).fill('Сочи');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/search\?q=/, { timeout: WAIT });
    expect(await page.locator('#hits li').count()).toBeGreaterThan(0);
    expect(await page.locator('#hits mark').first().innerText()).toMatch(/Сочи/i);
    await context.close();
  });

  it('an ad: a bad field shows its error beside it, a valid one its confirmation; approval puts it in ads today', async () => {
    const owner = await person(browser);
    const page = await owner.newPage();
    await page.goto(`${origin}/ads/new?hl=en`);
    await page.getByLabel('Title').fill('Bicycle for sale, barely used');
    await page
      .getByLabel('Text of the ad')
      .fill('City bike, 28 inch wheels, new tyres, with a lock.');
    await page.getByLabel('Name').fill('Pavel');
    await page.getByLabel('Email').fill('pavel-at-example');
    await page.getByLabel('Location', { exact: true }).fill('Moscow');
    await page.getByRole('button', { name: 'Send' }).click();
    const error = page.locator('#f-contact-email-error');
    await error.waitFor({ state: 'visible', timeout: WAIT });
    expect(await error.innerText()).toBe('must be an email address');
    expect(await page.getByLabel('Email').getAttribute('aria-describedby')).toBe(
      'f-contact-email-error',
    );
    await check(page, 'ad-form-error');

    await page.getByLabel('Email').fill('pavel@example.com');
    await waitOutFillTime(page);
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('h1', { hasText: 'Your ad was received' }).waitFor({ timeout: WAIT });
    expect(await page.locator('#manage-token').innerText()).toMatch(/^[\w-]{40,}$/);
    await check(page, 'ad-confirmation');
    // The owner's page, reached by posting the token (it is in no URL).
    await page.getByRole('button', { name: 'Manage your ad' }).click();
    await page.locator('#ad-status').waitFor({ timeout: WAIT });
    expect(await page.locator('#ad-status').innerText()).toBe('waiting for moderation');
    expect(page.url()).not.toContain('token');
    await check(page, 'ad-manage');

    const moderator = await person(browser);
    const admin = await moderator.newPage();
    await admin.goto(`${origin}/admin?hl=en`);
    await admin.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin.locator('#q-pending').waitFor({ timeout: WAIT });
    expect(admin.url()).not.toContain(ADMIN_TOKEN);
    await check(admin, 'admin');
    await admin.getByRole('button', { name: 'Approve: Bicycle for sale, barely used' }).click();
    await admin.locator('#admin-notice').waitFor({ timeout: WAIT });
    expect(await admin.locator('#admin-notice').innerText()).toBe(
      'Approve: Bicycle for sale, barely used (listed)',
    );

    await page.goto(`${origin}/?hl=en`);
    await reloadUntil(page, '#ads-today', 'Bicycle for sale, barely used');
    await page.getByRole('link', { name: 'Bicycle for sale, barely used' }).click();
    await page.waitForURL(/\/ads\/[a-z2-7]{20}/, { timeout: WAIT });
    expect(await page.locator('article').innerText()).toContain('pavel@example.com');
    await check(page, 'ad');
    await page.goto(`${origin}/ads?hl=en`);
    await check(page, 'ads');
    await owner.close();
    await moderator.close();
  });

  it('reader news: posted, approved on /admin, then on the front page', async () => {
    const writer = await person(browser);
    const page = await writer.newPage();
    await page.goto(`${origin}/news/new?hl=en`);
    await page.getByLabel('Headline').fill('Volunteers clean the beach in Sochi');
    await page
      .getByLabel('Text of the news')
      .fill('Two hundred volunteers cleaned four kilometres of beach in Sochi on Sunday morning.');
    await page.getByLabel('Section', { exact: true }).selectOption('society');
    await page.getByLabel('Language', { exact: true }).selectOption('en');
    await check(page, 'news-form');
    await waitOutFillTime(page);
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('h1', { hasText: 'Your news was received' }).waitFor({ timeout: WAIT });

    const moderator = await person(browser);
    const admin = await moderator.newPage();
    await admin.goto(`${origin}/admin?hl=en`);
    await admin.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin
      .getByRole('button', { name: 'Approve: Volunteers clean the beach in Sochi' })
      .click();
    await admin.locator('#admin-notice').waitFor({ timeout: WAIT });

    await page.goto(`${origin}/?hl=en`);
    await reloadUntil(
      page,
      'section[aria-labelledby="s-society"]',
      'Volunteers clean the beach in Sochi',
    );
    await writer.close();
    await moderator.close();
  });
});
