/**
 * /docs in a real browser (Debian's Chromium driven by playwright-core), served by the real
 * Worker (wrangler's unstable_startWorker, static assets included): Scalar's reference
 * renders the OpenAPI document from this origin alone, under the page's CSP, and its "try
 * it" console calls this server. CI installs Chromium (.ci/run) and sets
 * EDGE_NEWS_REQUIRE_BROWSER=1, so there the test cannot be skipped. Every wait is for a
 * condition, with room for a busy machine.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium, launchChromium } from './chromium.ts';
import { startWorker } from './worker.ts';

const haveBrowser = haveChromium('docs-page');
const WAIT = 120_000;

interface Violation {
  directive: string;
  blocked: string;
  source: string;
}

describe.skipIf(!haveBrowser)('GET /docs in Chromium', { timeout: 300_000 }, () => {
  let worker: Awaited<ReturnType<typeof startWorker>>;
  let browser: Browser;
  let origin = '';
  beforeAll(async () => {
    worker = await startWorker();
    origin = (await worker.url).origin;
    browser = await launchChromium();
  }, WAIT);
  afterAll(async () => {
    await browser?.close();
    await worker?.dispose();
  });

  /** A page that may reach this origin only, and records what it tried elsewhere and what the CSP refused. */
  async function docsPage(): Promise<{
    page: Page;
    elsewhere: string[];
    violations: Violation[];
    errors: string[];
  }> {
    const page = await browser.newPage();
    const elsewhere: string[] = [];
    const violations: Violation[] = [];
    const errors: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (new URL(url).origin === origin) return route.continue();
      elsewhere.push(url);
      return route.abort();
    });
    await page.exposeFunction('reportViolation', (v: Violation) => violations.push(v));
    // A page script (the test's tsconfig has no DOM types): every refusal, reported back.
    await page.addInitScript({
      content: `document.addEventListener('securitypolicyviolation', (e) =>
        window.reportViolation({ directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile }));`,
    });
    page.on('pageerror', (e) => errors.push(e.message));
    return { page, elsewhere, violations, errors };
  }

  it('renders the reference from this origin only, under the CSP', async () => {
    const { page, elsewhere, violations, errors } = await docsPage();
    const res = await page.goto(`${origin}/docs`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    // The sidebar lists the tags and operations, the intro names the server.
    await page.getByText('Latest news, newest first').first().waitFor({ timeout: WAIT });
    for (const tag of ['feeds', 'reader feeds', 'search', 'submissions', 'admin'])
      await expect
        .poll(() => page.getByText(tag, { exact: true }).count(), { timeout: WAIT })
        .toBeGreaterThan(0);
    await page.getByText(origin, { exact: true }).first().waitFor({ timeout: WAIT });
    expect(await page.title()).toContain('Edge News');
    expect(elsewhere).toEqual([]);
    // The policy holds, and refusals are seen: a request elsewhere is refused by the CSP.
    await page.evaluate("fetch('https://elsewhere.example/x').catch(() => {})");
    await expect
      .poll(() => violations.filter((v) => v.directive === 'connect-src'), { timeout: WAIT })
      .toEqual([{ directive: 'connect-src', blocked: 'https://elsewhere.example/x', source: '' }]);
    // The only other refusal is Scalar probing whether `new Function` works (it runs without).
    expect(
      violations.filter(
        (v) =>
          v.blocked !== 'https://elsewhere.example/x' &&
          !(v.directive === 'script-src' && v.blocked === 'eval'),
      ),
    ).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('"try it" sends the request to this server and shows its answer', async () => {
    const { page, elsewhere, errors } = await docsPage();
    await page.goto(`${origin}/docs`);
    // The operation's own section (Scalar labels it with the summary), then its client.
    const operation = page.locator('section[label="Latest news, newest first"]');
    await operation.getByRole('button', { name: /Test Request/ }).click({ timeout: WAIT });
    const client = page.locator('section[aria-label="Request: Latest news, newest first"]');
    await client.waitFor({ timeout: WAIT });
    const send = page.getByRole('button', { name: /^Send/ }).first();
    await send.waitFor({ timeout: WAIT });
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().startsWith(`${origin}/v1/feed`), { timeout: WAIT }),
      send.click(),
    ]);
    // Whatever this server answered (503 before a snapshot is published), the client shows it.
    const status = answer.status();
    expect(status === 200 || status === 503, `status ${status}`).toBe(true);
    expect(answer.headers()['content-type']).toMatch(/^application\/(json|problem\+json)/);
    // The client's status line (a link to its meaning) and the body the server sent.
    await page
      .locator(`a[href$="/Web/HTTP/Status/${status}"]`)
      .filter({ hasText: String(status) })
      .waitFor({ timeout: WAIT });
    const body = (await answer.json()) as { detail?: string; items?: unknown[] };
    if (body.detail !== undefined)
      await page.getByText(body.detail.slice(0, 40)).first().waitFor({ timeout: WAIT });
    expect(elsewhere).toEqual([]);
    expect(errors).toEqual([]);
  });
});
