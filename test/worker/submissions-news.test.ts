import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Article } from '../../src/core/content/article.ts';
import type { AdminItem } from '../../src/core/submissions/schemas.ts';
import { bindingStore } from '../../src/storage/kv-binding.ts';
import {
  approvedNewsFromStore,
  forgetApprovedNews,
  listApprovedNews,
} from '../../src/storage/submissions.ts';
import { admin, postNews, send, validNews } from './submissions-helpers.ts';

// Projection writes to one KV key are spaced 1 s apart (KV's limit), so some flows take seconds.
vi.setConfig({ testTimeout: 30_000 });

afterEach(() => {
  vi.useRealTimers();
});

async function approved(): Promise<Article[]> {
  forgetApprovedNews();
  return listApprovedNews(env.NEWS);
}

describe('POST /v1/news', () => {
  it('stores pending news: 201 with id, status and Location; not live before approval', async () => {
    const { res, body } = await postNews();
    expect(res.status).toBe(201);
    expect(body).toEqual({ id: expect.stringMatching(/^[a-z2-7]{20}$/), status: 'pending' });
    expect(res.headers.get('location')).toBe(`/v1/news/n-${body.id}`);
    expect((await send('GET', `/v1/news/n-${body.id}`)).status).toBe(404);
    expect((await approved()).map((a) => a.id)).not.toContain(`n-${body.id}`);
  });

  it.each([
    ['short title', { title: 'Hi' }, ['title']],
    ['HTML in the text', { text: `<p>${'Some words here. '.repeat(5)}</p>` }, ['text']],
    ['javascript url', { url: 'javascript:alert(1)' }, ['url']],
    ['ftp url', { url: 'ftp://example.org/file' }, ['url']],
    ['section not a slug', { section: 'World News!' }, ['section']],
    ['missing section and lang', { section: undefined, lang: undefined }, ['lang', 'section']],
    ['source too long', { source: 'x'.repeat(81) }, ['source']],
    ['short text', { text: 'Too short.' }, ['text']],
  ])('refuses %s with 400 naming each field', async (_name, overrides, expected) => {
    const res = await send('POST', '/v1/news', await validNews(overrides));
    expect(res.status).toBe(400);
    const errors = ((await res.json()) as { errors: { field: string }[] }).errors.map(
      (e) => e.field,
    );
    expect([...new Set(errors)].sort()).toEqual(expected);
  });

  it('applies the same abuse checks, body limit, content-type and idempotency as ads', async () => {
    expect((await postNews({ website: 'x' })).res.status).toBe(422);
    expect(
      (await send('POST', '/v1/news', 'title=x', { 'content-type': 'text/plain' })).status,
    ).toBe(415);
    expect(
      (await send('POST', '/v1/news', await validNews({ text: 'word '.repeat(7000) }))).status,
    ).toBe(413);
    const key = { 'idempotency-key': crypto.randomUUID() };
    const body = await validNews({ title: 'Idempotent reader news item' });
    const a = await send('POST', '/v1/news', body, key);
    const b = await send('POST', '/v1/news', body, key);
    expect(await b.json()).toEqual(await a.json());
    expect((await send('POST', '/v1/news', { ...body, section: 'other' }, key)).status).toBe(422);
  });
});

describe('approved reader news', () => {
  it('becomes an Article (n-<id>, published = approval time) for the feeds, search and the snapshot build', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = Date.now();
    vi.setSystemTime(t0);
    const { body } = await postNews({ url: null, section: 'Travel' });
    vi.setSystemTime(t0 + 90_000);
    const res = await send('POST', `/v1/admin/submissions/${body.id}/approve`, undefined, admin);
    const item = (await res.json()) as AdminItem;
    expect(item.approved_at).toBe(new Date(t0 + 90_000).toISOString());
    // Kept in the live list for 30 days from approval.
    expect(item.expires_at).toBe(new Date(t0 + 90_000 + 30 * 86_400_000).toISOString());

    const article = (await approved()).find((a) => a.id === `n-${body.id}`);
    expect(article).toEqual({
      id: `n-${body.id}`,
      title: 'Waterfall trail reopens after the storm',
      summary: expect.stringContaining('Three Sisters'),
      summary_from_source: false,
      body: expect.stringContaining('Three Sisters'),
      url: null,
      source: 'Reader',
      section: 'travel',
      tags: [],
      authors: [],
      lang: 'en',
      published: new Date(t0 + 90_000).toISOString(),
      image: null,
      image_credit: null,
      duplicates: [],
    });
    // The snapshot build reads the same list, same ids, through the KvStore interface.
    expect(await approvedNewsFromStore(bindingStore(env.NEWS))).toContainEqual(article);
    expect(await (await send('GET', `/v1/news/n-${body.id}`)).json()).toEqual(article);

    await send('POST', `/v1/admin/submissions/${body.id}/reject`, undefined, admin);
    expect((await approved()).map((a) => a.id)).not.toContain(`n-${body.id}`);
    expect((await send('GET', `/v1/news/n-${body.id}`)).status).toBe(404);
  });

  it('lists newest approval first and keeps every approval made concurrently', async () => {
    const ids = await Promise.all(
      Array.from(
        { length: 10 },
        async (_, i) => (await postNews({ title: `Concurrent reader news ${i}` })).body.id,
      ),
    );
    const answers = await Promise.all(
      ids.map((id) => send('POST', `/v1/admin/submissions/${id}/approve`, undefined, admin)),
    );
    expect(answers.map((r) => r.status)).toEqual(ids.map(() => 200));
    const list = await approved();
    expect(list.map((a) => a.id)).toEqual(expect.arrayContaining(ids.map((id) => `n-${id}`)));
    const published = list.map((a) => Date.parse(a.published));
    expect(published).toEqual([...published].sort((a, b) => b - a));
  });

  it('the archive keeps every approval for the snapshot build after the live list has moved on', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = Date.now();
    vi.setSystemTime(t0);
    const old = (await postNews({ title: 'An older reader story from last month' })).body.id;
    await send('POST', `/v1/admin/submissions/${old}/approve`, undefined, admin);
    vi.setSystemTime(t0 + 40 * 86_400_000);
    const recent = (await postNews({ title: 'A recent reader story from this month' })).body.id;
    await send('POST', `/v1/admin/submissions/${recent}/approve`, undefined, admin);

    const live = (await approved()).map((a) => a.id);
    expect(live).toContain(`n-${recent}`);
    expect(live).not.toContain(`n-${old}`);
    const all = (await approvedNewsFromStore(bindingStore(env.NEWS))).map((a) => a.id);
    expect(all).toEqual(expect.arrayContaining([`n-${recent}`, `n-${old}`]));
    expect(all.indexOf(`n-${recent}`)).toBeLessThan(all.indexOf(`n-${old}`));
    const months = (await env.NEWS.list({ prefix: 'sub:v1:news:month:' })).keys.map((k) => k.name);
    expect(months).toEqual(
      expect.arrayContaining([
        `sub:v1:news:month:${new Date(t0).toISOString().slice(0, 7)}`,
        `sub:v1:news:month:${new Date(t0 + 40 * 86_400_000).toISOString().slice(0, 7)}`,
      ]),
    );
  });

  it('caches the list in the isolate for a few seconds (one KV read per TTL)', async () => {
    forgetApprovedNews();
    const spy = vi.spyOn(env.NEWS, 'get');
    const now = Date.now();
    // The list once read, not a read in flight, is what later callers share
    // (src/core/lib/part-cache.ts says why).
    await listApprovedNews(env.NEWS, now);
    await listApprovedNews(env.NEWS, now + 1_000);
    await listApprovedNews(env.NEWS, now + 4_999);
    expect(spy).toHaveBeenCalledTimes(1);
    await listApprovedNews(env.NEWS, now + 5_000);
    expect(spy).toHaveBeenCalledTimes(2);
    spy.mockRestore();
  });

  it('answers 400 for a malformed news id', async () => {
    expect((await send('GET', '/v1/news/abc')).status).toBe(400);
  });
});
