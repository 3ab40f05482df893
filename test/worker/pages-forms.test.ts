/**
 * The ad and news forms, the owner's page and /admin, through the real Worker: form posts go
 * through the same submit() as the JSON API, errors come back beside their fields, a double
 * click is one ad, CSRF is refused, and an approval shows in "private ads today".
 */
import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { forgetPointer } from '../../src/storage/snapshots.ts';
import { article, seedSnapshot } from './seed.ts';
import { formToken, freshIp } from './submissions-helpers.ts';

const ORIGIN = 'http://edge.test';

function post(path: string, fields: Record<string, string>, ip = freshIp(), origin = ORIGIN) {
  return exports.default.fetch(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin,
      'cf-connecting-ip': ip,
    },
    body: new URLSearchParams(fields),
  });
}

async function adFields(overrides: Record<string, string> = {}) {
  return {
    title: 'Sound studio in Moscow',
    text: 'Recording, mixing and mastering in two rooms with vintage microphones.',
    category: 'services',
    'price.amount': '2500',
    'price.currency': 'RUB',
    'contact.name': 'Olga',
    'contact.email': 'olga@example.com',
    'contact.phone': '',
    location: 'Moscow',
    lang: 'en',
    images: '',
    website: '',
    form_token: await formToken(),
    idempotency_key: crypto.randomUUID(),
    ...overrides,
  };
}

const admin = (fields: Record<string, string> = {}) =>
  post('/admin?hl=en', { token: env.ADMIN_TOKEN, ...fields });

describe('forms', { timeout: 30_000 }, () => {
  // Generous: the first request of a file starts the isolate and the Durable Object, which
  // takes seconds on a busy machine; each test still ends as soon as its answers are in.
  beforeAll(async () => {
    forgetPointer();
    await seedSnapshot([article({ title: 'A story for the front page', section: 'world' })]);
  });

  it('GET /ads/new: a fresh form token, Idempotency-Key and honeypot; no-store', async () => {
    const res = await exports.default.fetch(`${ORIGIN}/ads/new?hl=en`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toMatch(/<input type="hidden" name="form_token" value="ft1\.\d+\.[\w-]+"\/>/);
    expect(html).toMatch(/<input type="hidden" name="idempotency_key" value="[a-z2-7]{20}"\/>/);
    expect(html).toContain('<input id="f-website" name="website" type="text" tabindex="-1"');
    expect(html).toContain('<label for="f-contact-email">Email</label>');
  });

  it('a bad field comes back beside that field, from the same problem as the API', async () => {
    const fields = await adFields({ 'contact.email': 'not-an-email', title: 'ab' });
    const res = await post('/ads/new?hl=en', fields);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain(
      '<input id="f-contact-email" name="contact.email" aria-invalid="true" aria-describedby="f-contact-email-error" type="email" value="not-an-email"/><span class="error" id="f-contact-email-error">must be an email address</span>',
    );
    expect(html).toContain(
      '<span class="error" id="f-title-error">must be at least 3 characters</span>',
    );
    const api = await exports.default.fetch(`${ORIGIN}/v1/ads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'cf-connecting-ip': freshIp() },
      body: JSON.stringify({
        title: 'ab',
        text: fields.text,
        category: 'services',
        contact: { name: 'Olga', email: 'not-an-email' },
        location: 'Moscow',
        lang: 'en',
        website: '',
        form_token: fields.form_token,
      }),
    });
    const problem = (await api.json()) as { detail: string };
    expect(html).toContain(problem.detail);
  });

  it('a valid ad gets a confirmation with its manage token; a double click makes one ad', async () => {
    const fields = await adFields({ title: 'Double-clicked sound studio' });
    const ip = freshIp();
    const [first, second] = [
      await post('/ads/new?hl=en', fields, ip),
      await post('/ads/new?hl=en', fields, ip),
    ];
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    const [a, b] = [await first.text(), await second.text()];
    expect(a).toContain('<h1>Your ad was received</h1>');
    const token = /<code class="wrap" id="manage-token">([\w-]+)<\/code>/.exec(a)?.[1];
    expect(token).toMatch(/^[\w-]{40,}$/);
    expect(b).toContain(`id="manage-token">${token}</code>`);
    const queue = await (await admin()).text();
    expect(queue.split('<strong lang="en">Double-clicked sound studio</strong>').length - 1).toBe(
      1,
    );
  });

  it('refuses a post from another site (CSRF), and a wrong admin token', async () => {
    const csrf = await post('/ads/new', await adFields(), freshIp(), 'https://evil.example');
    expect(csrf.status).toBe(403);
    const wrong = await post('/admin?hl=en', { token: 'not-the-token' });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('not-the-token');
  });

  it('approve on /admin, then the ad is in "private ads today" and on /ads', async () => {
    // The front page is cached before the approval: the approval must still show at once.
    const before = await exports.default.fetch(`${ORIGIN}/?hl=en`);
    expect(await before.text()).not.toContain('Camera for sale in Sochi');
    expect((await exports.default.fetch(`${ORIGIN}/?hl=en`)).headers.get('x-edge-cache')).toBe(
      'HIT',
    );
    const res = await post('/ads/new?hl=en', await adFields({ title: 'Camera for sale in Sochi' }));
    expect(res.status).toBe(200);
    const queue = await (await admin()).text();
    const id = new RegExp(
      `<strong lang="en">Camera for sale in Sochi</strong>[\\s\\S]*?name="id" value="([a-z2-7]{20})"`,
    ).exec(queue)?.[1];
    expect(id).toBeDefined();
    const approved = await admin({ id: id!, action: 'approve' });
    expect(await approved.text()).toContain('Approve: Camera for sale in Sochi (listed)');
    const ads = await (await exports.default.fetch(`${ORIGIN}/ads?hl=en`)).text();
    expect(ads).toContain(`<a href="/ads/${id}?hl=en">Camera for sale in Sochi</a>`);
    const front = await (await exports.default.fetch(`${ORIGIN}/?hl=en`)).text();
    expect(front).toContain(`<a href="/ads/${id}?hl=en">Camera for sale in Sochi</a>`);
  });

  it('the owner edits, renews and deletes with the manage token, never in a URL', async () => {
    const html = await (
      await post('/ads/new?hl=en', await adFields({ title: 'Flat near the market' }))
    ).text();
    const token = /id="manage-token">([\w-]+)</.exec(html)![1]!;
    const id = /action="\/ads\/([a-z2-7]{20})\/manage\?hl=en"/.exec(html)![1]!;
    expect(html).not.toContain(`manage?token`);
    const view = await (await post(`/ads/${id}/manage?hl=en`, { token })).text();
    expect(view).toContain('<strong id="ad-status">waiting for moderation</strong>');
    const bad = await post(`/ads/${id}/manage?hl=en`, {
      token,
      action: 'save',
      ...(await adFields({ title: 'x' })),
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain(
      '<span class="error" id="f-title-error">must be at least 3 characters</span>',
    );
    const saved = await (
      await post(`/ads/${id}/manage?hl=en`, {
        token,
        action: 'save',
        ...(await adFields({ title: 'Flat near the Rynok square' })),
      })
    ).text();
    expect(saved).toContain('Changes saved');
    expect(saved).toContain('value="Flat near the Rynok square"');
    expect(
      await (await post(`/ads/${id}/manage?hl=en`, { token, action: 'renew' })).text(),
    ).toContain('The ad was renewed.');
    const wrong = await post(`/ads/${id}/manage?hl=en`, {
      token: 'A'.repeat(43),
      action: 'delete',
    });
    expect(wrong.status).toBe(403);
    expect(
      await (await post(`/ads/${id}/manage?hl=en`, { token, action: 'delete' })).text(),
    ).toContain('The ad was deleted.');
    expect((await post(`/ads/${id}/manage`, { token })).status).toBe(404);
  });

  it('reader news: bad field beside it, then accepted and, once approved, on the front page', async () => {
    const news = {
      title: 'Waterfall trail reopens after the storm',
      text: 'The trail to the Three Sisters waterfalls reopened on Saturday after two weeks of repairs.',
      section: 'world',
      lang: 'en',
      url: '',
      source: '',
      website: '',
      form_token: await formToken(),
      idempotency_key: crypto.randomUUID(),
    };
    const bad = await post('/news/new?hl=en', { ...news, text: 'Too short.' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain(
      '<span class="error" id="f-text-error">must be at least 50 characters</span>',
    );
    const ok = await post('/news/new?hl=en', news);
    expect(await ok.text()).toContain('<h1>Your news was received</h1>');
    const queue = await (await admin()).text();
    const id =
      /<strong lang="en">Waterfall trail reopens after the storm<\/strong>[\s\S]*?name="id" value="([a-z2-7]{20})"/.exec(
        queue,
      )![1]!;
    await admin({ id, action: 'approve' });
    const front = await (await exports.default.fetch(`${ORIGIN}/?hl=en`)).text();
    expect(front).toContain(
      `<a href="/articles/n-${id}?hl=en">Waterfall trail reopens after the storm</a>`,
    );
  });
});
