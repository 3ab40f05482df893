import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adKey } from '../../src/core/snapshot/keys.ts';
import type { AdDetail, AdList, OwnerView } from '../../src/core/submissions/schemas.ts';
import {
  admin,
  approve,
  formToken,
  freshIp,
  owner,
  postAd,
  send,
  validAd,
} from './submissions-helpers.ts';

// Projection writes to one KV key are spaced 1 s apart (KV's limit), so some flows take seconds.
vi.setConfig({ testTimeout: 30_000 });

type ProblemBody = {
  status: number;
  code: string;
  detail: string;
  errors?: { field: string; message: string }[];
};
/** The distinct failing fields a problem names, sorted. */
const fields = async (res: Response) =>
  [...new Set(((await res.json()) as ProblemBody).errors?.map((e) => e.field))].sort();

afterEach(() => {
  vi.useRealTimers();
});

describe('POST /v1/ads', () => {
  it('stores a pending ad and answers 201 with id, status, expiry, manage token and Location', async () => {
    const before = Date.now();
    const { res, body } = await postAd();
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/v1/ads/${body.id}`);
    expect(body.id).toMatch(/^[a-z2-7]{20}$/);
    expect(body.status).toBe('pending');
    expect(body.manage_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // services: 30 days
    const expiry = Date.parse(body.expires_at) - before;
    expect(expiry).toBeGreaterThanOrEqual(30 * 86_400_000);
    expect(expiry).toBeLessThan(30 * 86_400_000 + 60_000);
    // Pending: not public yet.
    expect((await send('GET', `/v1/ads/${body.id}`)).status).toBe(404);
  });

  it('uses the per-category expiry', async () => {
    const before = Date.now();
    const { body } = await postAd({ category: 'realty' });
    expect(Date.parse(body.expires_at) - before).toBeGreaterThanOrEqual(60 * 86_400_000);
    const events = await postAd({ category: 'events' });
    expect(Date.parse(events.body.expires_at) - before).toBeLessThan(15 * 86_400_000);
  });

  it('stores text as plain text: control characters removed, whitespace normalised', async () => {
    const { body } = await postAd({
      title: '  Studio\u0007 \u202Erent\u202C  ',
      text: 'Line one\r\nLine two\u0000 and more words here',
    });
    await approve(body.id);
    const detail = (await (await send('GET', `/v1/ads/${body.id}`)).json()) as AdDetail;
    expect(detail.title).toBe('Studio rent');
    expect(detail.text).toBe('Line one\nLine two and more words here');
  });

  it.each([
    ['missing title', { title: undefined }, ['title']],
    ['HTML in the text', { text: 'Great offer <script>alert(1)</script> today only' }, ['text']],
    ['HTML entity in the title', { title: 'Cheap &amp; good' }, ['title']],
    ['unknown category', { category: 'weapons' }, ['category']],
    ['unknown currency', { price: { amount: 10, currency: 'ABC' } }, ['price.currency']],
    [
      'negative price with three decimals',
      { price: { amount: -1.005, currency: 'EUR' } },
      ['price.amount'],
    ],
    ['contact without email or phone', { contact: { name: 'Olga' } }, ['contact']],
    [
      'bad email and phone',
      { contact: { name: 'Olga', email: 'not-an-email', phone: 'call me' } },
      ['contact.email', 'contact.phone'],
    ],
    ['http image', { images: ['http://img.example.com/a.jpg'] }, ['images.0']],
    ['javascript image', { images: ['javascript:alert(1)'] }, ['images.0']],
    [
      'six images',
      { images: Array.from({ length: 6 }, (_, i) => `https://img.example.com/${i}.jpg`) },
      ['images'],
    ],
    ['bad language tag', { lang: 'russian' }, ['lang']],
    ['title too long', { title: 'x'.repeat(121) }, ['title']],
    ['text too short', { text: 'short' }, ['text']],
    ['missing form token', { form_token: undefined }, ['form_token']],
    ['several at once', { title: '', category: 'x', lang: 1 }, ['category', 'lang', 'title']],
  ])('refuses %s with 400 naming each field', async (_name, overrides, expected) => {
    const res = await send('POST', '/v1/ads', await validAd(overrides));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await fields(res)).toEqual(expected);
  });

  it('answers 415 for a body that is not JSON, 400 for malformed JSON, 413 above 32 KB', async () => {
    const form = await send('POST', '/v1/ads', undefined, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
    expect(((await form.json()) as ProblemBody).code).toBe('unsupported_media_type');
    const none = await send('POST', '/v1/ads');
    expect(none.status).toBe(415);
    const malformed = await send('POST', '/v1/ads', '{"title": ');
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toBe('application/problem+json');
    const big = await send('POST', '/v1/ads', await validAd({ text: 'a '.repeat(17_000) }));
    expect(big.status).toBe(413);
    expect(((await big.json()) as ProblemBody).code).toBe('payload_too_large');
  });

  it('refuses a filled honeypot, a too-fresh, expired or forged form token with one polite 422', async () => {
    const cases = [
      { website: 'http://spam.example' },
      { form_token: await formToken(500) },
      { form_token: await formToken(3 * 3_600_000) },
      { form_token: 'ft1.1700000000000.forgedsignature' },
    ];
    const details = new Set<string>();
    for (const overrides of cases) {
      const res = await send('POST', '/v1/ads', await validAd(overrides));
      expect(res.status).toBe(422);
      const body = (await res.json()) as ProblemBody;
      expect(body.code).toBe('submission_rejected');
      expect(body.errors).toBeUndefined();
      details.add(body.detail);
    }
    // The same words whichever check failed.
    expect(details.size).toBe(1);
  });

  it('accepts a token from GET /v1/form-token once the minimum fill time has passed', async () => {
    const res = await send('GET', '/v1/form-token');
    const { form_token, min_fill_seconds } = (await res.json()) as {
      form_token: string;
      min_fill_seconds: number;
    };
    expect(min_fill_seconds).toBe(3);
    expect((await send('POST', '/v1/ads', await validAd({ form_token }))).status).toBe(422);
    // Pinned clock: the Worker runs in this isolate, so faking Date moves its Date.now().
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 3_500);
    expect((await send('POST', '/v1/ads', await validAd({ form_token }))).status).toBe(201);
  });
});

describe('Idempotency-Key', () => {
  it('gives the same answer and one ad for the same key and body; 422 for another body', async () => {
    const body = await validAd({ title: 'Idempotent bicycle sale' });
    const key = { 'idempotency-key': `k-${crypto.randomUUID()}` };
    const first = await send('POST', '/v1/ads', body, key);
    const second = await send('POST', '/v1/ads', body, key);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const a = await first.json();
    expect(await second.json()).toEqual(a);

    const other = await send('POST', '/v1/ads', { ...body, title: 'Another bicycle sale' }, key);
    expect(other.status).toBe(422);
    expect(((await other.json()) as ProblemBody).code).toBe('idempotency_mismatch');

    const queue = (await (
      await send('GET', '/v1/admin/submissions?status=pending&limit=100', undefined, admin)
    ).json()) as { items: { content: { title: string } }[] };
    expect(queue.items.filter((i) => i.content.title === 'Idempotent bicycle sale')).toHaveLength(
      1,
    );
  });

  it('creates one ad when the same request races itself', async () => {
    const body = await validAd({ title: 'Racing idempotent sofa' });
    const key = { 'idempotency-key': `race-${crypto.randomUUID()}` };
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => send('POST', '/v1/ads', body, key)),
    );
    const ids = new Set<string>();
    for (const res of answers) {
      expect(res.status).toBe(201);
      ids.add(((await res.json()) as { id: string }).id);
    }
    expect(ids.size).toBe(1);
  });

  it('the replayed manage token works', async () => {
    const body = await validAd({ title: 'Replayed token lamp' });
    const key = { 'idempotency-key': crypto.randomUUID() };
    await send('POST', '/v1/ads', body, key);
    const replay = (await (await send('POST', '/v1/ads', body, key)).json()) as {
      id: string;
      manage_token: string;
    };
    expect(
      (await send('GET', `/v1/ads/${replay.id}/manage`, undefined, owner(replay.manage_token)))
        .status,
    ).toBe(200);
  });

  it('hashes the content only: a retry from a reloaded form (new form token) is a replay', async () => {
    const key = { 'idempotency-key': crypto.randomUUID() };
    const first = await send(
      'POST',
      '/v1/ads',
      await validAd({ title: 'Reloaded form desk' }),
      key,
    );
    const retry = await send(
      'POST',
      '/v1/ads',
      await validAd({ title: 'Reloaded form desk', form_token: await formToken(20_000) }),
      key,
    );
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.json()).toEqual(await first.json());
  });

  it('refuses a malformed key', async () => {
    const res = await send('POST', '/v1/ads', await validAd(), { 'idempotency-key': 'has space' });
    expect(res.status).toBe(400);
    expect(await fields(res)).toEqual(['Idempotency-Key']);
  });
});

describe('public listing and detail', () => {
  it('lists approved ads only, newest first, without contact details; detail has them', async () => {
    const lang = 'eo';
    const pending = await postAd({ lang, title: 'Pending esperanto ad' });
    const first = await postAd({ lang, title: 'First esperanto ad' });
    const second = await postAd({ lang, title: 'Second esperanto ad', category: 'auto' });
    await approve(first.body.id);
    await approve(second.body.id);

    const res = await send('GET', `/v1/ads?lang=${lang}`);
    expect(res.status).toBe(200);
    const list = (await res.json()) as AdList;
    expect(list.items.map((i) => i.id)).toEqual([second.body.id, first.body.id]);
    expect(list.items.map((i) => i.id)).not.toContain(pending.body.id);
    expect(JSON.stringify(list)).not.toMatch(/olga@example\.com|495 123/);
    expect(Object.keys(list.items[0] ?? {})).not.toContain('contact');

    const byCategory = (await (
      await send('GET', `/v1/ads?lang=${lang}&category=auto`)
    ).json()) as AdList;
    expect(byCategory.items.map((i) => i.id)).toEqual([second.body.id]);

    const detail = (await (await send('GET', `/v1/ads/${first.body.id}`)).json()) as AdDetail;
    expect(detail.contact).toEqual({
      name: 'Olga',
      email: 'olga@example.com',
      phone: '+7 495 123-45-67',
    });
    expect(detail.images).toEqual(['https://img.example.com/studio.jpg']);
  });

  it('pages with a cursor and filters by since', async () => {
    const lang = 'ia';
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { body } = await postAd({ lang, title: `Paged ad number ${i}` });
      await approve(body.id);
      ids.unshift(body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await (
        await send('GET', `/v1/ads?lang=${lang}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      ).json()) as AdList;
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(ids);

    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(
      ((await (await send('GET', `/v1/ads?lang=${lang}&since=${future}`)).json()) as AdList).items,
    ).toEqual([]);
    const dayAgo = new Date(Date.now() - 86_400_000).toISOString();
    expect(
      ((await (await send('GET', `/v1/ads?lang=${lang}&since=${dayAgo}`)).json()) as AdList).items,
    ).toHaveLength(5);
  });

  it('lists through one path: the ads page shows what /v1/ads gives for the same query', async () => {
    const lang = 'ie';
    const titles = ['Cello lessons for beginners', 'Cello repair workshop', 'Bicycle for sale'];
    const prices = [1500, 9000, 4000];
    for (const [i, title] of titles.entries()) {
      const { body } = await postAd({ lang, title, price: { amount: prices[i], currency: 'RUB' } });
      await approve(body.id);
    }
    const shown = (html: string) => titles.filter((t) => html.includes(t)).sort();
    for (const query of [`lang=${lang}&q=cello`, `lang=${lang}&price_max=5000`, `lang=${lang}`]) {
      const api = (await (await send('GET', `/v1/ads?${query}`)).json()) as AdList;
      const page = await send('GET', `/ads?${query}`);
      expect(page.status, query).toBe(200);
      expect(shown(await page.text()), query).toEqual(api.items.map((a) => a.title).sort());
    }
    const bothCello = ((await (await send('GET', `/v1/ads?lang=${lang}&q=cello`)).json()) as AdList)
      .items;
    expect(bothCello.map((a) => a.title).sort()).toEqual(titles.slice(0, 2));
    const cheap = (
      (await (await send('GET', `/v1/ads?lang=${lang}&price_max=5000`)).json()) as AdList
    ).items;
    expect(cheap.map((a) => a.title).sort()).toEqual([titles[2], titles[0]]);
  });

  it.each([
    ['limit=0', ['limit']],
    ['limit=abc', ['limit']],
    ['limit=51', ['limit']],
    ['category=weapons', ['category']],
    ['since=yesterday', ['since']],
    ['lang=English', ['lang']],
  ])('refuses ?%s with 400', async (query, expected) => {
    const res = await send('GET', `/v1/ads?${query}`);
    expect(res.status).toBe(400);
    expect(await fields(res)).toEqual(expected);
  });

  it('refuses a forged cursor with 400 invalid_cursor', async () => {
    const res = await send('GET', '/v1/ads?cursor=bm90LWEtY3Vyc29y');
    expect(res.status).toBe(400);
    expect(((await res.json()) as ProblemBody).code).toBe('invalid_cursor');
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    expect((await send('GET', '/v1/ads/aaaaaaaaaaaaaaaaaaaa')).status).toBe(404);
    const bad = await send('GET', '/v1/ads/not-an-id');
    expect(bad.status).toBe(400);
    expect(await fields(bad)).toEqual(['id']);
  });

  it('keeps a KV projection of a live ad with KV expiration', async () => {
    const { body } = await postAd({ category: 'events' });
    expect(await env.NEWS.get(adKey(body.id))).toBeNull();
    await approve(body.id);
    const listed = await env.NEWS.get<AdDetail>(adKey(body.id), 'json');
    expect(listed).not.toBeNull();
    const keys = await env.NEWS.list({ prefix: adKey(body.id) });
    // The approval starts the ad's period (the expiry the POST answered was provisional), so
    // the KV expiration follows the projected record's own expiry.
    expect(Date.parse(listed?.expires_at ?? '')).toBeGreaterThanOrEqual(
      Date.parse(body.expires_at),
    );
    expect(keys.keys[0]?.expiration).toBe(Math.ceil(Date.parse(listed?.expires_at ?? '') / 1000));
  });
});

describe('owner: PATCH, DELETE, renew', () => {
  it('takes the Bearer scheme in any case (RFC 9110 §11.1)', async () => {
    const { body } = await postAd();
    for (const scheme of ['bearer', 'BEARER'])
      expect(
        (
          await send('GET', `/v1/ads/${body.id}/manage`, undefined, {
            authorization: `${scheme} ${body.manage_token}`,
          })
        ).status,
        scheme,
      ).toBe(200);
  });

  it('needs the manage token: 401 without, 403 with a wrong one', async () => {
    const { body } = await postAd();
    const patch = { title: 'New title here' };
    expect((await send('PATCH', `/v1/ads/${body.id}`, patch)).status).toBe(401);
    const wrong = await send('PATCH', `/v1/ads/${body.id}`, patch, owner('A'.repeat(43)));
    expect(wrong.status).toBe(403);
    expect(
      (await send('DELETE', `/v1/ads/${body.id}`, undefined, owner('A'.repeat(43)))).status,
    ).toBe(403);
    expect((await send('POST', `/v1/ads/${body.id}/renew`)).status).toBe(401);
    expect(
      (await send('PATCH', '/v1/ads/aaaaaaaaaaaaaaaaaaaa', patch, owner(body.manage_token))).status,
    ).toBe(404);
    for (const [method, path] of [
      ['GET', `/v1/ads/${body.id}/manage`],
      ['DELETE', `/v1/ads/${body.id}`],
      ['POST', `/v1/ads/${body.id}/renew`],
    ] as const) {
      expect((await send(method, path)).status).toBe(401);
      expect((await send(method, path, undefined, owner('A'.repeat(43)))).status).toBe(403);
      expect(
        (
          await send(
            method,
            path.replace(body.id, 'aaaaaaaaaaaaaaaaaaaa'),
            undefined,
            owner(body.manage_token),
          )
        ).status,
      ).toBe(404);
    }
    // Authentication comes before body validation.
    expect((await send('PATCH', `/v1/ads/${body.id}`, { title: '' })).status).toBe(401);
    expect(
      (await send('PATCH', `/v1/ads/${body.id}`, 'not json', { 'content-type': 'text/plain' }))
        .status,
    ).toBe(401);
  });

  it('PATCH edits and sends the ad back to moderation', async () => {
    const { body } = await postAd({ lang: 'fy' });
    await approve(body.id);
    expect(((await (await send('GET', '/v1/ads?lang=fy')).json()) as AdList).items).toHaveLength(1);

    const res = await send(
      'PATCH',
      `/v1/ads/${body.id}`,
      { title: 'Edited studio title', price: null },
      owner(body.manage_token),
    );
    expect(res.status).toBe(200);
    const view = (await res.json()) as OwnerView;
    expect(view.status).toBe('pending');
    expect(view.ad).toMatchObject({
      title: 'Edited studio title',
      price: null,
      location: 'Moscow',
    });
    expect(((await (await send('GET', '/v1/ads?lang=fy')).json()) as AdList).items).toHaveLength(0);
    expect((await send('GET', `/v1/ads/${body.id}`)).status).toBe(404);

    await approve(body.id);
    const detail = (await (await send('GET', `/v1/ads/${body.id}`)).json()) as AdDetail;
    expect(detail.title).toBe('Edited studio title');
  });

  it('PATCH validates like POST', async () => {
    const { body } = await postAd();
    const empty = await send('PATCH', `/v1/ads/${body.id}`, {}, owner(body.manage_token));
    expect(empty.status).toBe(400);
    const bad = await send(
      'PATCH',
      `/v1/ads/${body.id}`,
      { images: ['ftp://x/y.png'], category: 'guns' },
      owner(body.manage_token),
    );
    expect(bad.status).toBe(400);
    expect(await fields(bad)).toEqual(['category', 'images.0']);
    const text = await send('PATCH', `/v1/ads/${body.id}`, 'title=x', {
      ...owner(body.manage_token),
      'content-type': 'text/plain',
    });
    expect(text.status).toBe(415);
  });

  it('DELETE removes the ad everywhere', async () => {
    const { body } = await postAd();
    await approve(body.id);
    expect((await send('GET', `/v1/ads/${body.id}`)).status).toBe(200);
    const res = await send('DELETE', `/v1/ads/${body.id}`, undefined, owner(body.manage_token));
    expect(res.status).toBe(204);
    expect((await send('GET', `/v1/ads/${body.id}`)).status).toBe(404);
    expect(await env.NEWS.get(adKey(body.id))).toBeNull();
    expect(
      (await send('DELETE', `/v1/ads/${body.id}`, undefined, owner(body.manage_token))).status,
    ).toBe(404);
  });

  it('GET /v1/ads/:id/manage shows the owner the status', async () => {
    const { body } = await postAd();
    const view = (await (
      await send('GET', `/v1/ads/${body.id}/manage`, undefined, owner(body.manage_token))
    ).json()) as OwnerView;
    expect(view).toMatchObject({ id: body.id, status: 'pending', expires_at: body.expires_at });
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After after 5 submissions a minute from one client', async () => {
    const ip = { 'cf-connecting-ip': freshIp() };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await send('POST', '/v1/ads', await validAd(), ip)).status);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
    const limited = await send('POST', '/v1/ads', await validAd(), ip);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(((await limited.json()) as ProblemBody).code).toBe('rate_limited');
    // Another client is not affected.
    expect((await send('POST', '/v1/ads', await validAd())).status).toBe(201);
  });
});
