import {
  createExecutionContext,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src/app.ts';
import { adKey, APPROVED_NEWS_KEY } from '../../src/core/snapshot/keys.ts';
import type { AdDetail, AdList, AdminList, OwnerView } from '../../src/core/submissions/schemas.ts';
import { submissionsStore } from '../../src/storage/submissions.ts';
import {
  admin,
  approve,
  freshIp,
  owner,
  postAd,
  postNews,
  send,
  validAd,
} from './submissions-helpers.ts';

// Projection writes to one KV key are spaced 1 s apart (KV's limit), so some flows take seconds.
vi.setConfig({ testTimeout: 30_000 });

const DAY = 86_400_000;

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const listed = async (query: string) =>
  ((await (await send('GET', `/v1/ads?${query}`)).json()) as AdList).items.map((i) => i.id);

describe('nothing lost', () => {
  it('every one of 25 concurrent submissions is in the admin listing, and after approval in the public one', async () => {
    const marker = `Concurrent ${crypto.randomUUID().slice(0, 8)}`;
    const bodies = await Promise.all(
      Array.from({ length: 25 }, (_, i) => validAd({ title: `${marker} #${i}`, lang: 'la' })),
    );
    const answers = await Promise.all(bodies.map((b) => send('POST', '/v1/ads', b)));
    const ids: string[] = [];
    for (const res of answers) {
      expect(res.status).toBe(201);
      ids.push(((await res.json()) as { id: string }).id);
    }
    expect(new Set(ids).size).toBe(25);

    const queue = (await (
      await send('GET', '/v1/admin/submissions?status=pending&kind=ad&limit=100', undefined, admin)
    ).json()) as AdminList;
    const queued = queue.items
      .filter((i) => String(i.content.title).startsWith(marker))
      .map((i) => i.id);
    expect(queued.sort()).toEqual([...ids].sort());

    const approvals = await Promise.all(ids.map((id) => approve(id)));
    expect(approvals.map((r) => r.status)).toEqual(ids.map(() => 200));
    expect((await listed('lang=la&limit=50')).sort()).toEqual([...ids].sort());
    const details = await Promise.all(ids.map((id) => send('GET', `/v1/ads/${id}`)));
    expect(details.map((r) => r.status)).toEqual(ids.map(() => 200));
  });
});

describe('KV projections', () => {
  it('a projection write that failed is rebuilt from SQLite by the alarm', async () => {
    const { body } = await postAd();
    await approve(body.id);
    const news = (await postNews()).body;
    await approve(news.id);
    // Simulate lost writes: the projections are gone and queued in the outbox, as
    // `project()` leaves them when KV refuses a write.
    await env.NEWS.delete(adKey(body.id));
    await env.NEWS.delete(APPROVED_NEWS_KEY);
    const stub = submissionsStore(env.SUBMISSIONS);
    await runInDurableObject(stub, async (_instance, state) => {
      state.storage.sql.exec(
        "INSERT INTO outbox_v1 (key, attempts) VALUES (?, 0), ('news', 0)",
        `ad:${body.id}`,
      );
      await state.storage.setAlarm(Date.now() + 60_000);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await env.NEWS.get(adKey(body.id), 'json')).toMatchObject({ id: body.id });
    expect(await env.NEWS.get(APPROVED_NEWS_KEY, 'json')).toMatchObject({
      items: expect.arrayContaining([expect.objectContaining({ id: `n-${news.id}` })]),
    });
    const left = await runInDurableObject(
      stub,
      (_instance, state) => state.storage.sql.exec('SELECT COUNT(*) AS n FROM outbox_v1').one().n,
    );
    expect(left).toBe(0);
  });
});

describe('expiry (pinned clock)', () => {
  it('hides an ad at its expiry on list and detail, and a renewal brings it back', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = Date.now();
    vi.setSystemTime(t0);
    const { body } = await postAd({ category: 'events', lang: 'ga' });
    expect(Date.parse(body.expires_at)).toBe(t0 + 14 * DAY);
    await approve(body.id);

    vi.setSystemTime(t0 + 14 * DAY - 60_000);
    expect(await listed('lang=ga')).toEqual([body.id]);
    expect((await send('GET', `/v1/ads/${body.id}`)).status).toBe(200);

    vi.setSystemTime(t0 + 14 * DAY);
    expect(await listed('lang=ga')).toEqual([]);
    // KV (real clock) still holds the projection; the read-side check hides it.
    expect(await env.NEWS.get(adKey(body.id))).not.toBeNull();
    expect((await send('GET', `/v1/ads/${body.id}`)).status).toBe(404);
    expect((await send('POST', `/v1/ads/${body.id}/reports`, { reason: 'spam' })).status).toBe(404);

    vi.setSystemTime(t0 + 20 * DAY);
    const renewed = await send(
      'POST',
      `/v1/ads/${body.id}/renew`,
      undefined,
      owner(body.manage_token),
    );
    expect(renewed.status).toBe(200);
    const view = (await renewed.json()) as OwnerView;
    expect(view).toMatchObject({
      status: 'approved',
      expires_at: new Date(t0 + 34 * DAY).toISOString(),
    });
    expect(await listed('lang=ga')).toEqual([body.id]);
    expect(((await (await send('GET', `/v1/ads/${body.id}`)).json()) as AdDetail).expires_at).toBe(
      view.expires_at,
    );
  });

  it('runs an ad its full period from approval, however long moderation took', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = Date.now();
    vi.setSystemTime(t0);
    const { body } = await postAd({ category: 'events', lang: 'gd' });
    expect(Date.parse(body.expires_at)).toBe(t0 + 14 * DAY);

    vi.setSystemTime(t0 + 3 * DAY);
    await approve(body.id);
    const detail = (await (await send('GET', `/v1/ads/${body.id}`)).json()) as AdDetail;
    expect(detail.expires_at).toBe(new Date(t0 + 17 * DAY).toISOString());
    // KV drops the projection at the same moment.
    expect((await env.NEWS.list({ prefix: adKey(body.id) })).keys[0]?.expiration).toBe(
      Math.ceil((t0 + 17 * DAY) / 1000),
    );

    vi.setSystemTime(t0 + 17 * DAY - 60_000);
    expect(await listed('lang=gd')).toEqual([body.id]);
    vi.setSystemTime(t0 + 17 * DAY);
    expect(await listed('lang=gd')).toEqual([]);
  });

  it('renewing never shortens the expiry (e.g. after a change to a shorter category)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = Date.now();
    vi.setSystemTime(t0);
    const { body } = await postAd({ category: 'realty' });
    expect(Date.parse(body.expires_at)).toBe(t0 + 60 * DAY);
    await send('PATCH', `/v1/ads/${body.id}`, { category: 'events' }, owner(body.manage_token));
    vi.setSystemTime(t0 + DAY);
    const res = await send('POST', `/v1/ads/${body.id}/renew`, undefined, owner(body.manage_token));
    expect(((await res.json()) as OwnerView).expires_at).toBe(body.expires_at);
  });
});

describe('reports', () => {
  it('holds an ad after 3 distinct reporters; one reporter counts once; a moderator restores it', async () => {
    const { body } = await postAd({ lang: 'cy' });
    await approve(body.id);
    const sameReporter = { 'cf-connecting-ip': freshIp() };
    for (let i = 0; i < 3; i++) {
      const res = await send(
        'POST',
        `/v1/ads/${body.id}/reports`,
        { reason: 'scam', comment: 'asks for prepayment' },
        sameReporter,
      );
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ status: 'received' });
    }
    expect((await send('POST', `/v1/ads/${body.id}/reports`, { reason: 'spam' })).status).toBe(202);
    expect(await listed('lang=cy')).toEqual([body.id]);

    expect((await send('POST', `/v1/ads/${body.id}/reports`, { reason: 'offensive' })).status).toBe(
      202,
    );
    expect(await listed('lang=cy')).toEqual([]);
    expect((await send('GET', `/v1/ads/${body.id}`)).status).toBe(404);
    const held = (await (
      await send('GET', '/v1/admin/submissions?status=held', undefined, admin)
    ).json()) as AdminList;
    expect(held.items.find((i) => i.id === body.id)).toMatchObject({ status: 'held', reports: 3 });

    // The owner cannot edit their way out of the hold.
    const edit = await send(
      'PATCH',
      `/v1/ads/${body.id}`,
      { title: 'Totally different now' },
      owner(body.manage_token),
    );
    expect(((await edit.json()) as OwnerView).status).toBe('held');

    const restored = await approve(body.id);
    expect(await restored.json()).toMatchObject({ status: 'approved', reports: 0 });
    expect(await listed('lang=cy')).toEqual([body.id]);
  });

  it.each([
    ['IPv6 /48', (i: number, net: string) => `${net}:${i}::${i}`],
    ['IPv4 /24', (i: number) => `198.51.100.${i}`],
  ])(
    'counts reporters per %s: addresses of one network are one reporter',
    async (_what, address) => {
      const { body } = await postAd({ lang: 'br' });
      await approve(body.id);
      const net = freshIp().split(':').slice(0, 3).join(':');
      for (let i = 1; i <= 4; i++) {
        const res = await send(
          'POST',
          `/v1/ads/${body.id}/reports`,
          { reason: 'spam' },
          { 'cf-connecting-ip': address(i, net) },
        );
        expect(res.status).toBe(202);
      }
      expect(await listed('lang=br')).toContain(body.id);
      const approved = (await (
        await send('GET', '/v1/admin/submissions?status=approved&limit=100', undefined, admin)
      ).json()) as AdminList;
      expect(approved.items.find((i) => i.id === body.id)?.reports).toBe(1);
      await send('DELETE', `/v1/ads/${body.id}`, undefined, owner(body.manage_token));
    },
  );

  it("a moderator's approval sticks against the same reporters; new ones still count", async () => {
    const { body } = await postAd({ lang: 'kw' });
    await approve(body.id);
    const reporters = [freshIp(), freshIp(), freshIp()].map((ip) => ({ 'cf-connecting-ip': ip }));
    const reportAll = (who: Record<string, string>[]) =>
      Promise.all(
        who.map((ip) => send('POST', `/v1/ads/${body.id}/reports`, { reason: 'spam' }, ip)),
      );
    await reportAll(reporters);
    expect(await listed('lang=kw')).toEqual([]);
    expect(await (await approve(body.id)).json()).toMatchObject({ status: 'approved', reports: 0 });

    // The same three report again: heard already, overruled, so the ad stays up.
    expect((await reportAll(reporters)).map((r) => r.status)).toEqual([202, 202, 202]);
    expect(await listed('lang=kw')).toEqual([body.id]);
    // Three reporters the moderator has not heard hold it again.
    await reportAll([freshIp(), freshIp(), freshIp()].map((ip) => ({ 'cf-connecting-ip': ip })));
    expect(await listed('lang=kw')).toEqual([]);
  });

  it('answers 404 for a pending or unknown ad and 400 for a bad reason', async () => {
    const { body } = await postAd();
    expect((await send('POST', `/v1/ads/${body.id}/reports`, { reason: 'spam' })).status).toBe(404);
    expect(
      (await send('POST', '/v1/ads/aaaaaaaaaaaaaaaaaaaa/reports', { reason: 'spam' })).status,
    ).toBe(404);
    await approve(body.id);
    const bad = await send('POST', `/v1/ads/${body.id}/reports`, {
      reason: 'dislike',
      comment: '<b>bad</b>',
    });
    expect(bad.status).toBe(400);
    const errors = ((await bad.json()) as { errors: { field: string }[] }).errors
      .map((e) => e.field)
      .sort();
    expect(errors).toEqual(['comment', 'reason']);
    expect(
      (await send('POST', `/v1/ads/${body.id}/reports`, 'spam', { 'content-type': 'text/plain' }))
        .status,
    ).toBe(415);
  });

  it('rate-limits reports per client', async () => {
    const { body } = await postAd();
    await approve(body.id);
    const ip = { 'cf-connecting-ip': freshIp() };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push(
        (await send('POST', `/v1/ads/${body.id}/reports`, { reason: 'spam' }, ip)).status,
      );
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
  });
});

describe('Turnstile (secret configured; siteverify stubbed)', () => {
  const SITEVERIFY = 'https://challenges.cloudflare.com/turnstile/v0/siteverify';
  const app = createApp();

  /** The real app and bindings, with TURNSTILE_SECRET set as a deployment would set it. */
  async function submit(body: Record<string, unknown>): Promise<Response> {
    const ctx = createExecutionContext();
    const req = new Request('http://x/v1/ads', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'cf-connecting-ip': freshIp() },
      body: JSON.stringify(body),
    });
    const res = await app.fetch(req, { ...env, TURNSTILE_SECRET: 'turnstile-test-secret' }, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  }

  function stubSiteverify(answer: () => Response) {
    const calls: URLSearchParams[] = [];
    const real = globalThis.fetch;
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url !== SITEVERIFY) return real(input, init);
      calls.push(new URLSearchParams(String(init?.body)));
      return answer();
    });
    return calls;
  }

  it('accepts when siteverify says success, sending secret, token and client address', async () => {
    const calls = stubSiteverify(() => Response.json({ success: true }));
    const res = await submit(await validAd({ turnstile_token: 'XXXX.DUMMY.TOKEN' }));
    expect(res.status).toBe(201);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.get('secret')).toBe('turnstile-test-secret');
    expect(calls[0]?.get('response')).toBe('XXXX.DUMMY.TOKEN');
    expect(calls[0]?.get('remoteip')).toMatch(/^2001:db8:/);
  });

  it('refuses with 403 when siteverify says no, or the token is missing', async () => {
    stubSiteverify(() =>
      Response.json({ success: false, 'error-codes': ['invalid-input-response'] }),
    );
    const refused = await submit(await validAd({ turnstile_token: 'bad' }));
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({
      code: 'verification_failed',
      errors: [{ field: 'turnstile_token' }],
    });
    const missing = await submit(await validAd());
    expect(missing.status).toBe(403);
  });

  it('answers 503 with Retry-After when siteverify is unreachable', async () => {
    stubSiteverify(() => new Response('oops', { status: 502 }));
    const res = await submit(await validAd({ turnstile_token: 'any' }));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('30');
  });

  it("is skipped when no secret is configured (the tests' default Worker)", async () => {
    const calls = stubSiteverify(() => Response.json({ success: false }));
    expect((await send('POST', '/v1/ads', await validAd())).status).toBe(201);
    expect(calls).toHaveLength(0);
  });
});
