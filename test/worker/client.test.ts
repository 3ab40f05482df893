/**
 * The typed client against the real Worker in workerd: hc's requests go to
 * `exports.default.fetch`, every route of test/client-calls.ts is called once with ids
 * the earlier calls returned, and the typed bodies are read without a cast.
 */
import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { edgeNewsClient, readProblem } from 'edge-news/client';
import { forgetPointer } from '../../src/storage/snapshots.ts';
import { CALLS, type CallIds, type Route } from '../client-calls.ts';
import { article, seedSnapshot } from './seed.ts';
import { formToken, freshIp } from './submissions-helpers.ts';

const api = edgeNewsClient('http://edge.test', {
  fetch: (input: RequestInfo | URL, init?: RequestInit) =>
    exports.default.fetch(new Request(input, init)),
  // A client address of its own per request, so the submission rate limit stays out of the way.
  headers: () => ({ 'cf-connecting-ip': freshIp() }),
});

const records = [
  article({ title: 'Harbour story one', section: 'world', published: '2024-07-15T10:00:00Z' }),
  article({ title: 'Harbour story two', section: 'world', published: '2024-07-15T11:00:00Z' }),
];
let ids: CallIds;

beforeAll(async () => {
  forgetPointer();
  await seedSnapshot(records);
  const feed = await (await api.v1.feed.$get({ query: {} })).json();
  ids = {
    article: feed.items.find((a) => a.title === 'Harbour story one')!.id,
    section: 'world',
    ad: 'none',
    news: 'none',
    manageToken: 'none',
    adminToken: env.ADMIN_TOKEN,
    formToken: await formToken(),
    apiKey: 'none',
  };
}, 60_000);

describe('the typed client against the Worker', () => {
  it('reads the feed and an article with their declared types', async () => {
    const feed = await api.v1.feed.$get({ query: { limit: '1' } });
    expect(feed.status).toBe(200);
    const page = await feed.json();
    expect(page.items.map((i) => i.title)).toEqual(['Harbour story two']);
    expect(page.total).toBe(2);
    const next = await api.v1.feed.$get({ query: { limit: '1', cursor: page.next_cursor! } });
    expect((await next.json()).items.map((i) => i.title)).toEqual(['Harbour story one']);

    const one = await api.v1.articles[':id'].$get({ param: { id: ids.article }, query: {} });
    expect(one.status).toBe(200);
    const body = await one.json();
    expect([body.title, body.section, body.duplicates]).toEqual(['Harbour story one', 'world', []]);
  });

  it('searches with in= and fields=, and follows the Link header to the next page', async () => {
    const res = await api.v1.search.$get({
      query: { q: '"harbour story"', in: 'title', sort: 'newest', limit: '1', fields: 'title' },
    });
    expect(res.status).toBe(200);
    const page = await res.json();
    expect(page.items).toEqual([{ id: expect.any(String), title: 'Harbour story two' }]);
    const link = /^<([^>]+)>; rel="next"$/.exec(res.headers.get('link') ?? '');
    expect(link).not.toBeNull();
    const next = await exports.default.fetch(link![1]!);
    const body = (await next.json()) as typeof page;
    expect(body.items.map((i) => i.title)).toEqual(['Harbour story one']);
    expect(next.headers.get('link')).toBeNull();
  });

  it('answers a bad query with a problem the client can read', async () => {
    const res = await api.v1.feed.$get({ query: { limit: '0' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = await readProblem(res);
    expect(problem).toMatchObject({ code: 'invalid_query', status: 400 });
    expect(problem.errors?.map((e) => e.field)).toEqual(['limit']);
  });

  it('calls every route once, each with its expected status', async () => {
    const statuses: [Route, number][] = [];
    const call = async (route: Route, with_: CallIds = ids) => {
      const res = await CALLS[route](api, with_);
      statuses.push([route, res.status]);
      return res;
    };
    for (const route of [
      'GET /v1/feed',
      'GET /v1/sections',
      'GET /v1/articles/:id',
      'GET /v1/articles',
      'GET /v1/health',
      'GET /feed.json',
      'GET /feed.xml',
      'GET /feed.atom',
      'GET /sections/:section/feed.json',
      'GET /sections/:section/feed.xml',
      'GET /sections/:section/feed.atom',
      'GET /v1/search',
      'GET /v1/suggest',
      'GET /v1/form-token',
      'GET /openapi.json',
      'GET /docs',
    ] as const)
      await call(route);

    const created = await CALLS['POST /v1/ads'](api, ids);
    expect(created.status).toBe(201);
    const ad = await created.json();
    ids = { ...ids, ad: ad.id, manageToken: ad.manage_token };
    await call('GET /v1/ads/:id'); // pending: not public yet
    await call('GET /v1/admin/submissions');
    const approved = await CALLS['POST /v1/admin/submissions/:id/:action'](api, ids);
    expect((await approved.json()).status).toBe('approved');
    for (const route of [
      'GET /v1/ads',
      'GET /v1/ads/:id',
      'GET /v1/ads/:id/manage',
      'POST /v1/ads/:id/reports',
      'POST /v1/ads/:id/renew',
      'PATCH /v1/ads/:id',
      'DELETE /v1/ads/:id',
    ] as const)
      await call(route);

    const news = await CALLS['POST /v1/news'](api, ids);
    expect(news.status).toBe(201);
    const { id: newsId } = await news.json();
    await CALLS['POST /v1/admin/submissions/:id/:action'](api, { ...ids, ad: newsId });
    await call('GET /v1/news/:id', { ...ids, news: `n-${newsId}` });

    const issued = await CALLS['POST /v1/admin/api-keys'](api, ids);
    expect(issued.status).toBe(201);
    const key = await issued.json();
    expect(key.key.length).toBeGreaterThan(20);
    await call('GET /v1/admin/api-keys');
    await call('DELETE /v1/admin/api-keys/:id', { ...ids, apiKey: key.id });
    // The lease (1 s) is granted; renew and release of token 1 answer 200 either way.
    const lease = await call('POST /v1/admin/publish-lease/acquire');
    expect(await lease.json()).toMatchObject({ ok: true });
    await call('POST /v1/admin/publish-lease/renew');
    await call('POST /v1/admin/publish-lease/release');

    expect(statuses).toEqual([
      ['GET /v1/feed', 200],
      ['GET /v1/sections', 200],
      ['GET /v1/articles/:id', 200],
      ['GET /v1/articles', 200],
      ['GET /v1/health', 200],
      ['GET /feed.json', 200],
      ['GET /feed.xml', 200],
      ['GET /feed.atom', 200],
      ['GET /sections/:section/feed.json', 200],
      ['GET /sections/:section/feed.xml', 200],
      ['GET /sections/:section/feed.atom', 200],
      ['GET /v1/search', 200],
      ['GET /v1/suggest', 200],
      ['GET /v1/form-token', 200],
      ['GET /openapi.json', 200],
      ['GET /docs', 200],
      ['GET /v1/ads/:id', 404],
      ['GET /v1/admin/submissions', 200],
      ['GET /v1/ads', 200],
      ['GET /v1/ads/:id', 200],
      ['GET /v1/ads/:id/manage', 200],
      ['POST /v1/ads/:id/reports', 202],
      ['POST /v1/ads/:id/renew', 200],
      ['PATCH /v1/ads/:id', 200],
      ['DELETE /v1/ads/:id', 204],
      ['GET /v1/news/:id', 200],
      ['GET /v1/admin/api-keys', 200],
      ['DELETE /v1/admin/api-keys/:id', 200],
      ['POST /v1/admin/publish-lease/acquire', 200],
      ['POST /v1/admin/publish-lease/renew', 200],
      ['POST /v1/admin/publish-lease/release', 200],
    ]);
    // Every route of the app is in the list above or was called for its ids.
    const called = new Set([
      ...statuses.map(([r]) => r),
      'POST /v1/ads',
      'POST /v1/admin/submissions/:id/:action',
      'POST /v1/news',
      'POST /v1/admin/api-keys',
    ]);
    expect([...called].sort()).toEqual(Object.keys(CALLS).sort());
  });
});
